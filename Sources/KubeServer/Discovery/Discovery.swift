import KubeModel
import Synchronization

/// The discovery documents: `/version`, `/api`, `/apis`, `/apis/<group>` and the resource
/// lists of each group version, built from the registry as it is now.
struct Discovery: Sendable {
    let registry: ResourceRegistry
    /// What `/version` reports instead of the server's own version, when set.
    var servedVersion: ServedVersion?
    static let kubernetesVersion = (major: "1", minor: "32", git: "v1.32.0-virtyard")

    func version() -> JSONValue {
        var reported = Self.kubernetesVersion
        if let git = servedVersion?.gitVersion {
            let numbers = git.drop { $0 == "v" }.split(separator: ".", maxSplits: 2)
            reported = (
                major: numbers.first.map(String.init) ?? reported.major,
                minor: numbers.count > 1 ? String(numbers[1].prefix { $0.isNumber }) : reported.minor, git: git
            )
        }
        return [
            "major": .string(reported.major), "minor": .string(reported.minor),
            "gitVersion": .string(reported.git), "gitCommit": "virtyard", "gitTreeState": "clean",
            "buildDate": "2026-11-23T00:00:00Z", "goVersion": "swift6.3", "compiler": "swiftc",
            "platform": "linux/amd64",
        ]
    }

    func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    func groupList() -> JSONValue {
        [
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": .array(registry.groups().filter { !$0.group.isEmpty }.map(Self.groupDocument)),
        ]
    }

    func group(_ name: String) -> JSONValue? {
        guard let entry = registry.groups().first(where: { $0.group == name && !name.isEmpty }) else { return nil }
        var document = Self.groupDocument(entry)
        document["kind"] = "APIGroup"
        document["apiVersion"] = "v1"
        return document
    }

    private static func groupDocument(_ entry: (group: String, versions: [String])) -> JSONValue {
        let versions = entry.versions.map { version -> JSONValue in
            ["groupVersion": .string("\(entry.group)/\(version)"), "version": .string(version)]
        }
        return ["name": .string(entry.group), "versions": .array(versions), "preferredVersion": versions[0]]
    }

    func resourceList(group: String, version: String) -> JSONValue? {
        let apiVersion = group.isEmpty ? version : "\(group)/\(version)"
        let resources = registry.resources(apiVersion: apiVersion)
        guard !resources.isEmpty else { return nil }
        var entries: [JSONValue] = []
        for resource in resources {
            var entry: JSONValue = [
                "name": .string(resource.resource), "singularName": .string(resource.singular),
                "namespaced": .bool(resource.namespaced), "kind": .string(resource.kind),
                "verbs": .array(resource.verbs.map(JSONValue.string)),
            ]
            if !resource.shortNames.isEmpty { entry["shortNames"] = .array(resource.shortNames.map(JSONValue.string)) }
            if !resource.categories.isEmpty { entry["categories"] = .array(resource.categories.map(JSONValue.string)) }
            entries.append(entry)
            if resource.hasStatus {
                entries.append([
                    "name": .string("\(resource.resource)/status"), "singularName": "",
                    "namespaced": .bool(resource.namespaced), "kind": .string(resource.kind),
                    "verbs": ["get", "patch", "update"],
                ])
            }
            if ResourceHandler.scalableResources.contains(resource.groupResource) {
                entries.append([
                    "name": .string("\(resource.resource)/scale"), "singularName": "",
                    "namespaced": .bool(resource.namespaced), "kind": "Scale", "group": "autoscaling",
                    "version": "v1", "verbs": ["get", "patch", "update"],
                ])
            }
            if resource.groupResource == ServiceAccountResources.serviceAccounts {
                entries.append([
                    "name": "serviceaccounts/token", "singularName": "", "namespaced": true, "kind": "TokenRequest",
                    "group": "authentication.k8s.io", "version": "v1", "verbs": ["create"],
                ])
            }
            if resource.groupResource == BuiltinResources.pods.groupResource {
                entries.append([
                    "name": "pods/binding", "singularName": "", "namespaced": true, "kind": "Binding",
                    "verbs": ["create"],
                ])
                entries.append([
                    "name": "pods/eviction", "singularName": "", "namespaced": true, "kind": "Eviction",
                    "group": "policy", "version": "v1", "verbs": ["create"],
                ])
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(apiVersion),
            "resources": .array(entries),
        ]
    }
}

/// The Kubernetes version one API tree reports at `/version`, when it is not the server's
/// own: a provisioned cluster's virtual cluster reports the version its nodes were asked to
/// run (`v1.32.0+k3s1`), as that cluster's API server would. Changing it changes the next
/// answer; nil goes back to the server's version.
public final class ServedVersion: Sendable {
    private let text = Mutex<String?>(nil)

    public init() {}

    public var gitVersion: String? {
        get { text.withLock { $0 } }
        set { text.withLock { $0 = newValue } }
    }
}

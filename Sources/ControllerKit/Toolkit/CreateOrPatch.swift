import KubeClient
import KubeModel

/// What ``KubernetesAPI/createOrPatch(_:_:)`` did, with the object as stored.
public enum CreateOrPatchResult: Sendable, Equatable {
    case created(JSONValue)
    case patched(JSONValue)
    /// The object already had every field of the desired state: nothing was written.
    case unchanged(JSONValue)

    public var object: JSONValue {
        switch self {
        case .created(let object), .patched(let object), .unchanged(let object): return object
        }
    }
}

extension KubernetesAPI {
    /// controller-runtime's `CreateOrPatch` for a desired state written as a JSON merge patch
    /// (RFC 7386): creates `desired` when no object of its name exists; otherwise sends it as a
    /// merge patch, and only when applying it would change the stored object — fields the
    /// patch leaves out (another controller's, the server's) stay as they are.
    ///
    /// `status` and the server-owned metadata (`resourceVersion`, `uid`, `creationTimestamp`,
    /// `generation`, `managedFields`) are not patched: status has its own subresource, and the
    /// rest would either conflict or never match.
    public func createOrPatch(_ resource: ResourceType, _ desired: JSONValue) async throws(KubeClientError) -> CreateOrPatchResult {
        let namespace = desired.namespace
        let name = desired.name ?? ""
        let existing = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await get(resource, namespace: namespace, name: name)
        }
        let current: JSONValue
        if let existing {
            current = existing
        } else {
            let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await create(resource, namespace: namespace, object: desired)
            }
            if let created { return .created(created) }
            // Someone created it between the read and the create: patch theirs.
            current = try await get(resource, namespace: namespace, name: name)
        }
        let patch = Self.mergePatch(from: desired)
        guard MergePatch.apply(patch, to: current) != current else { return .unchanged(current) }
        let patched = try await self.patch(resource, namespace: namespace, name: name, patch: patch, type: .merge)
        return .patched(patched)
    }

    /// `desired` without the fields a merge patch must not carry.
    static func mergePatch(from desired: JSONValue) -> JSONValue {
        var patch = desired
        patch["status"] = nil
        for key in ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"] {
            patch[path: ["metadata", key]] = nil
        }
        return patch
    }
}

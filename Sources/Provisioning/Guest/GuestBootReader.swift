import Foundation
import KubeModel

/// Reads a node's user data as its guest would at first boot, and says what node it makes:
///
/// - K3S/RKE2 — `#cloud-config` writing `/etc/rancher/{k3s,rke2}/config.yaml`, the installer
///   pinned with `INSTALL_K3S_VERSION` / `INSTALL_RKE2_VERSION` in `runcmd`.
/// - VANILLA — `#cloud-config` writing kubeadm's `v1beta4` documents to
///   `/etc/kubernetes/kubeadm.yaml`, kubelet pinned by its package version.
/// - TALOS — a `v1alpha1` machine config.
/// - OKD — Ignition 3.x: the bootstrap machine's full config or a master/worker pointer config.
///
/// A `#cloud-config` that configures no Kubernetes (GENERIC clusters, bastions) is no cluster
/// member: ``read(_:)`` returns nil. Everything else that does not read is a
/// ``GuestBootError``. Pure: no I/O.
public enum GuestBootReader {
    /// A guest reads at most this much user data (a rendered Talos control plane is about
    /// 12 KiB; a Secret holds at most 1 MiB).
    public static let maximumBytes = 256 << 10

    public static func read(_ text: String) throws(GuestBootError) -> GuestBootConfiguration? {
        let size = text.utf8.count
        guard size <= maximumBytes else { throw .tooLarge(bytes: size, limit: maximumBytes) }
        if text.hasPrefix("#cloud-config") {
            return try readCloudConfig(text)
        }
        let start = text.drop { $0.isWhitespace }
        if start.hasPrefix("{") {
            return try IgnitionGuest.read(try GuestDocument.jsonObject(text, format: "Ignition JSON"))
        }
        let document = try GuestDocument.yamlMapping(text, format: "YAML")
        if document["version"]?.stringValue == "v1alpha1", document["machine"] != nil {
            return try TalosGuest.read(document)
        }
        throw .unreadable(
            format: "user data", reason: "it is neither a #cloud-config, an Ignition config nor a Talos machine config")
    }

    static func readCloudConfig(_ text: String) throws(GuestBootError) -> GuestBootConfiguration? {
        let document = try GuestDocument.yamlMapping(text, format: "cloud-config YAML")
        let cloudConfig = try CloudConfigView(document)
        for flavor in [RancherGuest.Flavor.k3s, .rke2] {
            if let config = cloudConfig.files[flavor.configPath] {
                return try RancherGuest.read(config, flavor: flavor, cloudConfig: cloudConfig)
            }
        }
        if let config = cloudConfig.files[KubeadmProvider.configPath] {
            return try KubeadmGuest.read(config, cloudConfig: cloudConfig)
        }
        return nil
    }
}

/// The parts of a `#cloud-config` the guests read: `hostname`, `write_files` (plain or
/// base64 content) and `runcmd`.
struct CloudConfigView {
    var hostname: String?
    var files: [String: String] = [:]
    var commands: [String] = []

    init(_ document: JSONValue) throws(GuestBootError) {
        hostname = document["hostname"]?.stringValue
        if let entries = document["write_files"] {
            guard let list = entries.arrayValue else { throw .invalid(distribution: "cloud-config", reason: "write_files must be a list") }
            for entry in list {
                guard let path = entry["path"]?.stringValue else {
                    throw .invalid(distribution: "cloud-config", reason: "every write_files entry needs a path")
                }
                let content = entry["content"]?.stringValue ?? ""
                switch entry["encoding"]?.stringValue?.lowercased() {
                case nil, "text/plain":
                    files[path] = content
                case "b64", "base64":
                    guard let data = Data(base64Encoded: content, options: .ignoreUnknownCharacters) else {
                        throw .invalid(distribution: "cloud-config", reason: "\(path): content is not base64")
                    }
                    files[path] = String(decoding: data, as: UTF8.self)
                case let other?:
                    throw .invalid(distribution: "cloud-config", reason: "\(path): encoding \(other) is not read by this guest")
                }
            }
        }
        for command in document["runcmd"]?.arrayValue ?? [] {
            if let text = command.stringValue {
                commands.append(text)
            } else if let words = command.arrayValue {
                commands.append(words.compactMap(\.stringValue).joined(separator: " "))
            }
        }
    }

    /// `NAME='value'` or `NAME=value` in the commands, as a shell would pass it.
    func environment(_ name: String) -> String? {
        for command in commands { if let value = ShellWords.assignment(name, in: command) { return value } }
        return nil
    }
}

enum ShellWords {
    /// The value assigned to `name` in `text` (`NAME='v'`, `NAME="v"`, `NAME=v`).
    static func assignment(_ name: String, in text: String) -> String? {
        var search = text[...]
        while let range = search.range(of: name + "=") {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            search = text[range.upperBound...]
            guard before == nil || before == " " || before == "|" || before == ";" || before == "\t" else { continue }
            var rest = search
            if let quote = rest.first, quote == "'" || quote == "\"" {
                rest = rest.dropFirst()
                return String(rest.prefix { $0 != quote })
            }
            return String(rest.prefix { !$0.isWhitespace && $0 != ";" })
        }
        return nil
    }

    /// The version after `package=` in an install command (`kubelet=1.32.0-1.1` → `1.32.0`).
    static func packageVersion(_ package: String, in text: String) -> String? {
        guard let range = text.range(of: package + "=") else { return nil }
        let version = text[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return version.isEmpty ? nil : String(version)
    }
}

/// Small readers of the JSON values the guests get.
extension JSONValue {
    /// A string or a list of strings (k3s accepts both for list flags).
    var stringList: [String] {
        if let text = stringValue { return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        return arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// A YAML scalar as text (`true`, `6443`, `name`).
    var scalarText: String? {
        if let text = stringValue { return text }
        if let number = intValue { return String(number) }
        if let flag = boolValue { return flag ? "true" : "false" }
        return nil
    }
}

/// `key=value:Effect` (k3s `node-taint`), `key:Effect`, `key=value`.
func parseTaint(_ text: String, distribution: String) throws(GuestBootError) -> GuestBootConfiguration.Taint {
    let parts = text.split(separator: ":", maxSplits: 1)
    guard parts.count == 2, ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(String(parts[1])) else {
        throw .invalid(distribution: distribution, reason: "taint \(text) is not key[=value]:NoSchedule|PreferNoSchedule|NoExecute")
    }
    let keyValue = parts[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
    guard let key = keyValue.first, !key.isEmpty else {
        throw .invalid(distribution: distribution, reason: "taint \(text) has no key")
    }
    return .init(key: String(key), value: keyValue.count > 1 ? String(keyValue[1]) : nil, effect: String(parts[1]))
}

/// `key=value` labels (k3s `node-label`, kubelet `--node-labels`).
func parseLabels(_ items: [String], distribution: String) throws(GuestBootError) -> [String: String] {
    var labels: [String: String] = [:]
    for item in items where !item.isEmpty {
        let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw .invalid(distribution: distribution, reason: "label \(item) is not key=value")
        }
        labels[String(parts[0])] = String(parts[1])
    }
    return labels
}

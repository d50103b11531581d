import Foundation
import Testing
import Yams

@testable import Provisioning

/// A rendered boot configuration read back as the guest would read it.
struct RenderedNode {
    var node: PlannedNode
    var configuration: NodeBootConfiguration

    /// The `#cloud-config` document.
    func cloudConfig() throws -> [String: Any] {
        #expect(configuration.text.hasPrefix("#cloud-config\n"))
        return try #require(try Yams.load(yaml: configuration.text) as? [String: Any])
    }

    /// The content `write_files` puts at `path`.
    func file(_ path: String) throws -> String? {
        let files = try cloudConfig()["write_files"] as? [[String: Any]] ?? []
        return files.first { $0["path"] as? String == path }?["content"] as? String
    }

    func commands() throws -> [String] { try cloudConfig()["runcmd"] as? [String] ?? [] }

    /// YAML documents of the file at `path`.
    func documents(_ path: String) throws -> [[String: Any]] {
        let text = try #require(try file(path), "\(node.vmName) writes no \(path)")
        return try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
    }

    func yaml() throws -> [String: Any] { try #require(try Yams.load(yaml: configuration.text) as? [String: Any]) }

    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(configuration.text.utf8)) as? [String: Any])
    }
}

/// Looks up `a.b.c` in nested dictionaries.
func value(_ object: Any?, _ path: String) -> Any? {
    var current = object
    for key in path.split(separator: ".") {
        current = (current as? [String: Any])?[String(key)]
    }
    return current
}

func decodedBase64(_ text: Any?) -> String? {
    (text as? String).flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
}

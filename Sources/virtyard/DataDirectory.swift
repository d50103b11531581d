import Foundation
import KubeClient

/// The files `virtyard serve` keeps under its data directory (DESIGN.md §2).
struct DataDirectory {
    let path: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(_ path: String?) throws {
        let chosen =
            path ?? ProcessInfo.processInfo.environment["VIRTYARD_DATA_DIR"]
            ?? (NSHomeDirectory() + "/.virtyard")
        let expanded = (chosen as NSString).expandingTildeInPath
        self.path = URL(fileURLWithPath: expanded).standardizedFileURL.path
        do {
            try FileManager.default.createDirectory(
                atPath: self.path, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw Failure(description: "cannot create data directory \(self.path): \(error.localizedDescription)")
        }
    }

    var kubeconfigPath: String { path + "/kubeconfig" }
    var endpointsPath: String { path + "/endpoints.json" }
    var tokenPath: String { path + "/admin-token" }

    /// The admin bearer token, created on first start and kept across restarts.
    func adminToken(generate: () -> String) throws -> String {
        if let existing = try? String(contentsOfFile: tokenPath, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), !existing.isEmpty
        {
            return existing
        }
        let token = generate()
        try writePrivate(token + "\n", to: tokenPath)
        return token
    }

    /// A token the operator provides in a file (`--admin-token-file`): read, never written;
    /// at least 32 characters, as the generated ones are (a short token is guessable).
    static func operatorToken(file: String) throws -> String {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw Failure(description: "cannot read the admin token from \(file)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 32, !token.contains(where: \.isWhitespace) else {
            throw Failure(description: "\(file) holds no usable admin token (32 characters at least, no white space)")
        }
        return token
    }

    /// Writes a file readable by its owner only (it holds a credential).
    func writePrivate(_ text: String, to file: String) throws {
        let temporary = file + ".tmp"
        _ = FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        guard FileManager.default.fileExists(atPath: temporary) else {
            throw Failure(description: "cannot write \(file)")
        }
        try Self.moveAtomically(temporary, to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
    }

    /// rename(2): readers see the old file or the new one, never half of one.
    private static func moveAtomically(_ source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else {
            throw Failure(description: "cannot write \(destination): \(String(cString: strerror(errno)))")
        }
    }

    func writeKubeconfig(server: String, token: String, certificateAuthority: String?) throws {
        let text = KubeConfig.document(
            server: server, clusterName: "virtyard", userName: "virtyard-admin", contextName: "virtyard", token: token,
            certificateAuthorityPEM: certificateAuthority, namespace: "default")
        try writePrivate(text, to: kubeconfigPath)
    }

    /// - Parameter vcd: the Cloud Director API's URL; the key is left out when it is not served.
    func writeEndpoints(kubeAPI: String?, platform: String?, vcd: String? = nil) throws {
        var fields: [String] = []
        fields.append("\"kubeAPI\": " + (kubeAPI.map { "\"\($0)\"" } ?? "null"))
        fields.append("\"platform\": " + (platform.map { "\"\($0)\"" } ?? "null"))
        if let vcd { fields.append("\"vcd\": \"\(vcd)\"") }
        let text = "{" + fields.joined(separator: ", ") + "}\n"
        let temporary = endpointsPath + ".tmp"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        try Self.moveAtomically(temporary, to: endpointsPath)
    }
}

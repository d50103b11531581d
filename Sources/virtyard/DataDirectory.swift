import Foundation

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
        let authority =
            certificateAuthority.map {
                "\n    certificate-authority-data: " + Data($0.utf8).base64EncodedString()
            } ?? ""
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: virtyard
              cluster:
                server: \(server)\(authority)
            contexts:
            - name: virtyard
              context:
                cluster: virtyard
                user: virtyard-admin
                namespace: default
            current-context: virtyard
            users:
            - name: virtyard-admin
              user:
                token: \(token)
            preferences: {}

            """
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

import Foundation

/// A `#cloud-config` user-data document (cloud-init), built from the few modules the
/// providers use: `hostname`, `write_files` and `runcmd`.
public struct CloudConfig: Hashable, Sendable {
    /// One entry of `write_files`.
    public struct File: Hashable, Sendable {
        public var path: String
        public var content: String
        /// Octal, as cloud-init wants it: `"0600"` for keys and tokens.
        public var permissions: String

        public init(path: String, content: String, permissions: String = "0644") {
            self.path = path
            self.content = content
            self.permissions = permissions
        }
    }

    public var hostname: String
    public var files: [File] = []
    /// Shell commands run once, in order, at the end of first boot.
    public var commands: [String] = []

    public init(hostname: String, files: [File] = [], commands: [String] = []) {
        self.hostname = hostname
        self.files = files
        self.commands = commands
    }

    /// The user data: `#cloud-config` and the YAML.
    public func rendered() -> String {
        var document: [(String, YAMLNode)] = [
            ("hostname", .string(hostname)),
            ("preserve_hostname", false),
        ]
        if !files.isEmpty {
            document.append(
                (
                    "write_files",
                    .list(
                        files.map { file in
                            .map([
                                ("path", .string(file.path)),
                                ("permissions", .string(file.permissions)),
                                ("owner", "root:root"),
                                ("content", .string(file.content)),
                            ])
                        })
                ))
        }
        if !commands.isEmpty { document.append(("runcmd", .strings(commands))) }
        return "#cloud-config\n" + YAMLNode.map(document).rendered()
    }

    /// The content of the file written at `path`, if any (tests, the simulated guest).
    public func file(at path: String) -> String? { files.first { $0.path == path }?.content }
}

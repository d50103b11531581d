import ArgumentParser

@main
struct Virtyard: AsyncParsableCommand {
    /// Bumped when a release is cut (CHANGELOG.md); until then every build says "dev".
    static let version = "0.1.0-dev"

    static let configuration = CommandConfiguration(
        commandName: "virtyard",
        abstract: "Self-service VM labs and workspaces on KubeVirt.",
        version: version,
        subcommands: [Serve.self, APIServer.self])
}

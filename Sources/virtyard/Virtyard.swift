import ArgumentParser

@main
struct Virtyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "virtyard",
        abstract: "Self-service VM labs and workspaces on KubeVirt.",
        subcommands: [Serve.self, APIServer.self])
}

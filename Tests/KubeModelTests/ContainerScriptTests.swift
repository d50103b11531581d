import Testing

@testable import KubeModel

/// What a simulated container prints and whether it ends, from its command alone.
@Suite struct ContainerScriptTests {
    static func script(_ command: [String], args: [String] = [], env: [String: String] = [:]) -> ContainerScript {
        var container: JSONValue = ["name": "c", "command": .array(command.map { .string($0) })]
        if !args.isEmpty { container["args"] = .array(args.map { .string($0) }) }
        container["env"] = .array(env.map { ["name": .string($0.key), "value": .string($0.value)] })
        return ContainerScript(container: container, podName: "p")
    }

    @Test func shellWordsQuoteAndExpand() {
        #expect(ShellWords.split(#"echo 'a $X' "b $X" c\ d"#, environment: ["X": "1"]) == ["echo", "a $X", "b 1", "c d"])
        #expect(ShellWords.splitStatements("a; b && c || d\ne") == ["a", " b ", " c ", " d", "e"])
    }

    @Test func echoedLinesOfSimpleCommandsAndScripts() {
        #expect(Self.script(["echo", "hi", "there"]).echoedLines == ["hi there"])
        #expect(Self.script(["sh", "-c", "echo one; sleep 5; echo \"$(NAME) two\""], env: ["NAME": "x"]).echoedLines == ["one", "x two"])
        #expect(Self.script(["nginx"]).echoedLines == nil)
        #expect(Self.script(["sh", "-c", "echo hidden > /tmp/f"]).echoedLines == [])
    }

    @Test(
        arguments: [
            (["echo", "hi"], Int64?.some(0)),
            (["/bin/true"], 0),
            (["false"], 1),
            (["sh", "-c", "date; exit 3"], 3),
            (["sh", "-c", "echo a && sleep 10"], 0),
            (["sleep", "3600"], 0),
            (["sleep", "infinity"], nil),
            (["sh", "-c", "while true; do date; sleep 5; done"], nil),
            (["nginx", "-g", "daemon off;"], nil),
            (["sh"], nil),
            (["tail", "-f", "/dev/null"], nil),
            (["ping", "example.com"], nil),
        ] as [([String], Int64?)])
    func exitCodes(command: [String], expected: Int64?) {
        #expect(Self.script(command).exitCode == expected)
    }

    @Test func aContainerWithoutCommandRunsOn() {
        let script = ContainerScript(container: ["name": "c", "image": "nginx"], podName: "p")
        #expect(script.exitCode == nil)
        #expect(script.echoedLines == nil)
    }
}

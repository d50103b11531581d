import Foundation
import VirtyardTesting

/// The project's checkers in the shared directory (`../shared/tools`): `check-bootconfig`
/// (real `cloud-init schema` and `ignition-validate` when installed) and `validate-objects`
/// (the real KubeVirt and CDI schemas). Missing tools fail the tests that need them.
enum SharedTools {
    struct Outcome {
        var status: Int32
        var output: String
    }

    static func tool(_ name: String) throws -> String {
        try SharedSchemas.directory().deletingLastPathComponent().appendingPathComponent("tools").appendingPathComponent(name).path
    }

    /// Runs `check-bootconfig --kind <kind> <file>` on `text`.
    static func checkBootConfig(_ text: String, kind: String, name: String = "userdata") throws -> Outcome {
        let directory = try TemporaryDirectory()
        let file = try directory.write(name, text)
        return try run(try tool("check-bootconfig"), ["--kind", kind, file])
    }

    /// Runs `validate-objects <file>` on the objects, written as one JSON `List`.
    static func validateObjects(_ json: String) throws -> Outcome {
        let directory = try TemporaryDirectory()
        let file = try directory.write("objects.json", json)
        return try run(try tool("validate-objects"), [file])
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        try runProcess("/usr/bin/env", ["python3", executable] + arguments)
    }

    /// Runs a program to its end with standard output and error in one pipe (the tests
    /// show both when a check fails).
    static func runProcess(_ path: String, _ arguments: [String], in directory: String? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read before waiting: a full pipe would otherwise block the child.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}

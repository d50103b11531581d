import Foundation
import KubeModel
import Testing
import VirtyardServer

/// Manifest directories (`--lab-scenarios`) are read with a clear error for anything that is
/// not a set of objects — never a crash of the process that reads them.
@Suite struct ManifestFilesTests {
    func directory(_ files: [String: String]) throws -> String {
        let path = NSTemporaryDirectory() + "virtyard-manifests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
        return path
    }

    @Test func objectsAreReadWithYAMLTypesAsJSON() throws {
        let path = try directory([
            "a.yaml": """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: one}
            data: {when: "2024-01-02"}
            spec: {replicas: 3, ratio: 0.5, enabled: true, at: 2024-01-02T03:04:05Z, none: null}
            ---
            """
        ])
        let documents = try ManifestFiles.read(directory: path)
        #expect(documents.count == 1)
        let spec = documents[0].object["spec"]
        #expect(spec?["replicas"] == 3)
        #expect(spec?["ratio"] == 0.5)
        #expect(spec?["enabled"] == true)
        #expect(spec?["at"]?.stringValue?.hasPrefix("2024-01-02T03:04:05") == true)
        #expect(spec?["none"] == .null)
    }

    @Test func aScalarDocumentIsAnErrorNamingTheFile() throws {
        let path = try directory(["bad.yaml": "just a sentence\n"])
        let error = #expect(throws: ManifestFiles.Failure.self) { try ManifestFiles.read(directory: path) }
        #expect(error?.description.contains("bad.yaml") == true)
        #expect(error?.description.contains("not an object") == true)
    }

    @Test func aListDocumentIsAnError() throws {
        let path = try directory(["list.yml": "- a\n- b\n"])
        #expect(throws: ManifestFiles.Failure.self) { try ManifestFiles.read(directory: path) }
    }
}

extension ManifestFilesTests {
    @Test func aMappingKeyThatIsAListIsAnErrorNotACrash() throws {
        let path = try directory(["keys.yaml": "apiVersion: v1\n[a, b]: x\n"])
        let error = #expect(throws: ManifestFiles.Failure.self) { try ManifestFiles.read(directory: path) }
        #expect(error?.description.contains("mapping key must be a string") == true)
    }
}

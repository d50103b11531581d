// Fuzz target: YAML manifests as the server reads them (ManifestFiles: CRDs at start-up,
// `serve --lab-scenarios DIR`): Yams.load_all, then JSONSerialization, then JSONValue.
// The input is written to a file in a scratch directory and read with the real
// ManifestFiles.read, so the file-reading and conversion code is the product's own.
//
// Properties: reading either throws ManifestFiles.Failure or yields documents whose
// objects round-trip through serialize/parse.
import Foundation

@testable import KubeModel

private let scratchDirectory: String = {
    let path = NSTemporaryDirectory() + "/virtyard-fuzz-yaml-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAMLManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let file = scratchDirectory + "/manifest.yaml"
    guard FileManager.default.createFile(atPath: file, contents: Data(bytes: data, count: size)) else {
        FuzzCheck.fail("cannot write the scratch file \(file)")
    }
    guard let documents = try? ManifestFiles.read(directory: scratchDirectory) else { return 0 }
    for document in documents {
        FuzzCheck.roundTrips(document.object, "YAML document")
    }
    return 0
}

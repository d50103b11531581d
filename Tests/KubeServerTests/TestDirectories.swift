import Foundation

/// A new, empty directory under the system's temporary directory, for one test's files.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "virtyard-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

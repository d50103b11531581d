import Foundation
import KubeModel
import Yams

/// The Kubernetes objects in a directory of manifests: every `*.yaml`, `*.yml` and `*.json`
/// file, in name order, several `---`-separated documents per file allowed, empty documents
/// skipped. What the objects must be is the caller's business.
public enum ManifestFiles {
    public struct Document: Sendable {
        /// The file's name within the directory.
        public var file: String
        public var object: JSONValue
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func read(directory: String) throws(Failure) -> [Document] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw Failure(description: "cannot read the directory \(directory): \(error.localizedDescription)")
        }
        var documents: [Document] = []
        for file in files where [".yaml", ".yml", ".json"].contains(where: file.hasSuffix) {
            do {
                let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
                for document in try Yams.load_all(yaml: text) where !(document is NSNull) {
                    let object = try JSONValue(parsing: JSONSerialization.data(withJSONObject: document))
                    documents.append(Document(file: file, object: object))
                }
            } catch {
                throw Failure(description: "\(file): \(error)")
            }
        }
        return documents
    }
}

import Foundation
import KubeModel

/// What `virtyard serve --lab-scenarios DIR` reads, in either format or both:
///
/// - Virtyard's own: `*.yaml`, `*.yml` and `*.json` files of `LabScenario` manifests
///   (several `---`-separated documents per file allowed);
/// - cks-backend's, unchanged: `categories.yaml`, and one folder per scenario
///   (``ScenarioFolder``).
///
/// Names starting with `.` or `_` are skipped (as cks-backend skips them), and so are other
/// files (a README). Everything is bounded by ``ScenarioLimits``.
enum ScenarioDirectory {
    struct Contents {
        /// Each scenario with the file (or folder) it came from.
        var documents: [(file: String, object: JSONValue)] = []
        var categories: ScenarioCategories?
    }

    static let categoriesFiles: Set<String> = ["categories.yaml", "categories.yml"]
    static let manifestSuffixes = [".yaml", ".yml", ".json"]

    static func read(_ directory: String, limits: ScenarioLimits) throws(ScenarioFileError) -> Contents {
        var contents = Contents()
        var folders = 0
        for entry in try entries(of: directory, named: directory, limits: limits, optional: false) {
            let path = "\(directory)/\(entry)"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                guard FileManager.default.fileExists(atPath: "\(path)/\(ScenarioFolder.metadataFile)") else {
                    throw ScenarioFileError(
                        file: "\(entry)/",
                        "a scenario folder needs \(ScenarioFolder.metadataFile) (start the name with _ to have the folder skipped)")
                }
                folders += 1
                guard folders <= limits.scenarios else {
                    throw ScenarioFileError(file: directory, "holds more than \(limits.scenarios) scenario folders")
                }
                contents.documents.append(("\(entry)/", try ScenarioFolder.scenario(folder: entry, path: path, limits: limits)))
            } else if categoriesFiles.contains(entry) {
                let document = try ScenarioYAML.mapping(file: entry, path: path, limits: limits)
                contents.categories = try ScenarioCategories(document, file: entry)
            } else if manifestSuffixes.contains(where: entry.hasSuffix) {
                for (index, object) in try ScenarioYAML.documents(file: entry, path: path, limits: limits).enumerated() {
                    guard object.objectValue != nil else {
                        throw ScenarioFileError(file: entry, "document \(index + 1) is a \(object.typeName), not an object")
                    }
                    contents.documents.append((entry, object))
                }
            }
        }
        return contents
    }

    /// The names in a directory, sorted, those starting with `.` or `_` left out; a missing
    /// directory has none when `optional`.
    static func entries(of path: String, named name: String, limits: ScenarioLimits, optional: Bool) throws(ScenarioFileError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if optional { return [] }
            throw ScenarioFileError(file: name, "does not exist")
        }
        guard isDirectory.boolValue else { throw ScenarioFileError(file: name, "is not a directory") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw ScenarioFileError(file: name, "cannot be read: \(error.localizedDescription)")
        }
        guard names.count <= limits.entries else {
            throw ScenarioFileError(file: name, "holds \(names.count) entries; at most \(limits.entries) are read")
        }
        return names.filter { !$0.hasPrefix(".") && !$0.hasPrefix("_") }.sorted()
    }
}

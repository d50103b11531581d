import Foundation
import KubeModel

/// The field paths a typed view's source code names, so a test can hold them against the
/// paths the view declares in `fieldPaths` (which a schema test checks): a field added to a
/// view but not to its list would otherwise escape the schema check.
///
/// Swift cannot enumerate a type's static members, so this reads the source. It collects
/// every literal that names a field:
/// - `FieldPath` literals: `… FieldPath = "status.phase"`, `.appending("[].type")`,
///   `FieldPath(["status", "phase"])`;
/// - subscripts with literal keys: `json["migrationUid"]`, `object[path: ["spec", "x"]]`.
///
/// A use is covered when its keys appear, in order and adjacent, in some declared path
/// (ignoring `[]` steps): relative paths (`domain.cpu` inside a VMI spec, `resources.requests`
/// inside a container) are written without their prefix, so the check cannot require the
/// whole path. It catches a field the list forgot and a misspelt key, not a right key in the
/// wrong place (the schema test and the view's own tests do that). Paths built from
/// variables are not seen.
public enum ViewSourcePaths {
    /// One literal path in a source file.
    public struct Use: Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var path: FieldPath

        public init(file: String, line: Int, path: FieldPath) {
            self.file = file
            self.line = line
            self.path = path
        }

        public var description: String { "\(file):\(line) \(path)" }
    }

    /// A view source that cannot be read.
    public struct SourceMissing: Error, CustomStringConvertible {
        public var description: String
    }

    /// `Sources/<relativePath>` (`KubeModel/Views/Pod.swift`).
    public static func source(_ relativePath: String) -> URL {
        SchemaPaths.sourcesDirectory.appendingPathComponent(relativePath)
    }

    /// Every literal field path in `files` (comment lines are skipped).
    public static func uses(in files: [URL]) throws -> [Use] {
        var uses: [Use] = []
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw SourceMissing(description: "cannot read view source \(file.path)")
            }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                guard !code.hasPrefix("//") else { continue }
                for path in paths(inLine: code) where !path.keys.filter({ $0 != FieldPath.items }).isEmpty {
                    uses.append(Use(file: file.lastPathComponent, line: index + 1, path: path))
                }
            }
        }
        return uses
    }

    /// Keys that start an ObjectMeta path (`metadata`, or `labels`/`annotations` of an
    /// embedded ObjectMeta such as a VM's `spec.template.metadata`): metadata is the same for
    /// every kind and goes through `ObjectMeta+JSON`, so views do not declare it.
    public static let metadataKeys: Set<String> = ["metadata", "labels", "annotations"]

    /// The uses of `uses` that no path of `declared` covers (see the type's description);
    /// uses that start with one of ``metadataKeys`` are not counted.
    public static func undeclared(_ uses: [Use], declared: [FieldPath]) -> [Use] {
        let declaredKeys = declared.map { $0.keys.filter { $0 != FieldPath.items } }
        return uses.filter { use in
            let keys = use.path.keys.filter { $0 != FieldPath.items }
            if let first = keys.first, metadataKeys.contains(first) { return false }
            return !declaredKeys.contains { containsRun($0, keys) }
        }
    }

    // MARK: - Reading a line

    /// The literal field paths of one line of source.
    public static func paths(inLine line: String) -> [FieldPath] {
        // Regexes are not Sendable, so they cannot be static constants under strict concurrency.
        let dottedLiteral = #/FieldPath\s*=\s*"([^"]*)"/#
        let appendedLiteral = #/\.appending\(\s*"([^"]*)"\s*\)/#
        let keyListLiteral = #/FieldPath\(\s*\[((?:\s*"[^"]*"\s*,?)+)\]\s*\)/#
        let keySubscript = #/[\w\)\]\?!]\[\s*"([^"]+)"\s*\]/#
        let pathSubscript = #/\[\s*path:\s*\[((?:\s*"[^"]*"\s*,?)+)\]\s*\]/#
        let quoted = #/"([^"]*)"/#
        var found: [FieldPath] = []
        for match in line.matches(of: dottedLiteral) { found.append(FieldPath(stringLiteral: String(match.1))) }
        for match in line.matches(of: appendedLiteral) { found.append(FieldPath(stringLiteral: String(match.1))) }
        for match in line.matches(of: keySubscript) { found.append(FieldPath([String(match.1)])) }
        for pattern in [keyListLiteral, pathSubscript] {
            for match in line.matches(of: pattern) {
                found.append(FieldPath(match.1.matches(of: quoted).map { String($0.1) }))
            }
        }
        return found
    }

    /// Whether `run` appears in `keys` as adjacent elements, in order.
    private static func containsRun(_ keys: [String], _ run: [String]) -> Bool {
        guard !run.isEmpty, run.count <= keys.count else { return run.isEmpty }
        return (0...(keys.count - run.count)).contains { start in Array(keys[start..<(start + run.count)]) == run }
    }
}

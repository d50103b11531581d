import Foundation

/// The real projects' API schemas in the workplace's shared directory (`schemas/`: KubeVirt's
/// and CDI's swagger documents, the CSI snapshotter's CRDs), outside the repository.
///
/// Found as the conformance suite finds `tools/validate-objects` (`Tests/conformance/conftest.py`):
/// `$VIRTYARD_SHARED_DIR`, else `shared/` beside the repository, else `/work/shared`. When none
/// exists the tests that need it fail, naming the places looked at: a check that quietly skips
/// would pass on every machine that lacks the schemas.
public enum SharedSchemas {
    /// No shared directory with a `schemas/` folder was found.
    public struct DirectoryMissing: Error, CustomStringConvertible {
        public var candidates: [String]
        public var description: String {
            "the shared schemas are missing: looked for schemas/ in \(candidates.joined(separator: ", ")) "
                + "(set VIRTYARD_SHARED_DIR, or put shared/ beside the repository)"
        }
    }

    /// The repository's root, found from this file (`Sources/VirtyardTesting/`).
    static let repositoryRoot = SchemaPaths.sourcesDirectory.deletingLastPathComponent()

    /// The places searched, in order.
    public static var candidates: [URL] {
        var places: [URL] = []
        if let configured = ProcessInfo.processInfo.environment["VIRTYARD_SHARED_DIR"], !configured.isEmpty {
            places.append(URL(fileURLWithPath: configured))
        }
        places.append(repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared"))
        places.append(URL(fileURLWithPath: "/work/shared"))
        return places
    }

    /// `<shared>/schemas`, from the first candidate that has one.
    public static func directory() throws -> URL {
        for place in candidates {
            let schemas = place.appendingPathComponent("schemas")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: schemas.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return schemas
            }
        }
        throw DirectoryMissing(candidates: candidates.map(\.path))
    }

    /// Definition `definition` (`v1.VirtualMachine`) of the swagger document `file`
    /// (`kubevirt.swagger.json`, `cdi.swagger.json`).
    public static func definition(_ definition: String, in file: String) throws -> SchemaPaths.Schema {
        try SchemaPaths.definitionSchema(definition, inSwagger: directory().appendingPathComponent(file))
    }

    /// `openAPIV3Schema` of `version` in the shared CRD file `file`
    /// (`snapshot.storage.k8s.io_volumesnapshots.yaml`).
    public static func crd(_ file: String, version: String) throws -> SchemaPaths.Schema {
        try SchemaPaths.crdSchema(at: directory().appendingPathComponent(file), version: version)
    }
}

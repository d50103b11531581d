import Foundation

/// Where the embedded CDI keeps volume data: one file per PersistentVolumeClaim
/// (`<root>/volumes/<namespace>/<claim>.img`) and one per VolumeSnapshot
/// (`<root>/snapshots/<namespace>/<snapshot>.img`).
///
/// A snapshot is a hard link to the volume's file: a reference that costs no space and keeps
/// the data when the volume goes. Volumes are never written after their import completes,
/// so sharing the inode is as safe as a copy-on-write snapshot.
public struct VolumeStore: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    public func volume(namespace: String, claim: String) -> URL {
        root.appendingPathComponent("volumes").appendingPathComponent(namespace).appendingPathComponent(claim + ".img")
    }

    /// An import in progress writes here; the file is renamed to `volume(…)` once verified, so a
    /// volume file always holds a complete image.
    public func partial(namespace: String, claim: String) -> URL {
        volume(namespace: namespace, claim: claim).appendingPathExtension("partial")
    }

    public func snapshot(namespace: String, name: String) -> URL {
        root.appendingPathComponent("snapshots").appendingPathComponent(namespace).appendingPathComponent(name + ".img")
    }

    /// Bytes on disk of a file (0 when missing).
    public static func size(of file: URL) -> Int64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: file.path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }

    public static func exists(_ file: URL) -> Bool {
        FileManager.default.fileExists(atPath: file.path)
    }

    static func prepareDirectory(for file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    }

    /// An empty image of `size` bytes (sparse: no blocks are written).
    func createBlank(namespace: String, claim: String, size: Int64) throws {
        let file = volume(namespace: namespace, claim: claim)
        try Self.prepareDirectory(for: file)
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.truncate(atOffset: UInt64(max(0, size)))
    }

    /// Links the volume's data under the snapshot's name. False when the volume has no data.
    func takeSnapshot(namespace: String, claim: String, snapshot name: String) throws -> Bool {
        let source = volume(namespace: namespace, claim: claim)
        guard Self.exists(source) else { return false }
        let target = snapshot(namespace: namespace, name: name)
        try Self.prepareDirectory(for: target)
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.linkItem(at: source, to: target)
        return true
    }

    /// Populates a volume from another volume or a snapshot (a clone or a restore).
    func populate(namespace: String, claim: String, from source: URL) throws -> Bool {
        guard Self.exists(source) else { return false }
        let target = volume(namespace: namespace, claim: claim)
        try Self.prepareDirectory(for: target)
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.linkItem(at: source, to: target)
        return true
    }

    func removeVolume(namespace: String, claim: String) {
        try? FileManager.default.removeItem(at: volume(namespace: namespace, claim: claim))
        try? FileManager.default.removeItem(at: partial(namespace: namespace, claim: claim))
        try? FileManager.default.removeItem(at: partial(namespace: namespace, claim: claim).appendingPathExtension("source"))
    }

    func removeSnapshot(namespace: String, name: String) {
        try? FileManager.default.removeItem(at: snapshot(namespace: namespace, name: name))
    }
}

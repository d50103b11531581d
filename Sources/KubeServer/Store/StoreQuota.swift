import KubeModel

/// How much one store may hold: what keeps one lab session's virtual cluster from filling
/// the host's memory and disk for everyone else.
public struct StoreQuota: Sendable, Equatable {
    public var maximumObjects: Int
    public var maximumBytes: Int

    /// Room for any lab exercise (a few hundred objects) many times over, while a hundred
    /// virtual clusters at their limit still fit in a few GiB.
    public static let virtualClusterDefault = StoreQuota(maximumObjects: 5_000, maximumBytes: 32 << 20)

    public init(maximumObjects: Int, maximumBytes: Int) {
        self.maximumObjects = maximumObjects
        self.maximumBytes = maximumBytes
    }

    /// Refuses a write that would take the store past its quota (403, as a ResourceQuota
    /// refuses). Writes that shrink the store always pass, so a full store can be cleaned up.
    func admit(adding objects: Int, bytes: Int, to usage: (objects: Int, bytes: Int), key: StorageKey) throws(APIError) {
        if objects > 0, usage.objects + objects > maximumObjects {
            throw APIError(
                code: 403, reason: .forbidden,
                message: "\(key.resource.resource) \"\(key.name)\" is forbidden: exceeded quota: this cluster holds "
                    + "\(usage.objects) objects, at most \(maximumObjects) are allowed")
        }
        if bytes > 0, usage.bytes + bytes > maximumBytes {
            throw APIError(
                code: 403, reason: .forbidden,
                message: "\(key.resource.resource) \"\(key.name)\" is forbidden: exceeded quota: this cluster's objects "
                    + "take \(usage.bytes) bytes, at most \(maximumBytes) are allowed")
        }
    }
}

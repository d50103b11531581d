import KubeModel
import PlatformHTTP

/// `PUT /api/v1/clusters/{name}/scale`: one node group to a new size.
struct ScaleRequest: Decodable, Sendable {
    var nodeGroup: String
    var targetCount: Int
    /// Recorded in the operation (`spec.request`); the controller adds and removes nodes one
    /// at a time whatever it says.
    var strategy: String?
    var maxSurge: Int?
    /// How long a node may take to drain before it is removed (a Go duration, `5m`).
    var drainTimeout: String?

    enum Field: String, CodingKey, CaseIterable {
        case nodeGroup, targetCount, strategy, maxSurge, drainTimeout
    }

    init(from decoder: any Decoder) throws {
        let fields = try StrictFields<Field>(decoder)
        guard let group = try fields.string(.nodeGroup, length: 1...63) else {
            throw RequestFieldError(field: "nodeGroup", problem: "is required")
        }
        // 0 is read so that the answer can say why it is refused (a group keeps one node).
        guard let count = try fields.integer(.targetCount, in: 0...ClusterSpecLimits.nodesPerGroup.upperBound) else {
            throw RequestFieldError(field: "targetCount", problem: "is required")
        }
        nodeGroup = group
        targetCount = count
        strategy = try fields.string(.strategy, length: 1...32)
        if let strategy, !["ROLLING", "PARALLEL"].contains(strategy) {
            throw RequestFieldError(field: "strategy", problem: "must be ROLLING or PARALLEL")
        }
        maxSurge = try fields.integer(.maxSurge, in: 0...ClusterSpecLimits.nodesPerGroup.upperBound)
        drainTimeout = try fields.string(.drainTimeout, length: 1...32)
        if let drainTimeout {
            let duration: Duration
            do {
                duration = try GoDuration.parse(drainTimeout)
            } catch {
                throw RequestFieldError(field: "drainTimeout", problem: "must be a duration like 5m or 90s")
            }
            guard duration >= .zero, duration <= .seconds(86_400) else {
                throw RequestFieldError(field: "drainTimeout", problem: "must be from 0s to 24h")
            }
        }
    }

    var json: JSONValue {
        var json: JSONValue = ["nodeGroup": .string(nodeGroup), "targetCount": .int(Int64(targetCount))]
        if let strategy { json["strategy"] = .string(strategy) }
        if let maxSurge { json["maxSurge"] = .int(Int64(maxSurge)) }
        if let drainTimeout { json["drainTimeout"] = .string(drainTimeout) }
        return json
    }
}

/// `PUT /api/v1/clusters/{name}/upgrade`: every node replaced by one of the new version.
struct UpgradeRequest: Decodable, Sendable {
    var version: String
    var maxSurge: Int?
    var maxUnavailable: Int?

    enum Field: String, CodingKey, CaseIterable {
        case version, maxSurge, maxUnavailable
    }

    init(from decoder: any Decoder) throws {
        let fields = try StrictFields<Field>(decoder)
        guard let version = try fields.string(.version, length: 1...ClusterSpecLimits.versionLength) else {
            throw RequestFieldError(field: "version", problem: "is required")
        }
        self.version = version
        maxSurge = try fields.integer(.maxSurge, in: 0...ClusterSpecLimits.nodesPerGroup.upperBound)
        maxUnavailable = try fields.integer(.maxUnavailable, in: 0...ClusterSpecLimits.nodesPerGroup.upperBound)
        if maxSurge == 0, maxUnavailable == 0 {
            throw RequestFieldError(field: "maxUnavailable", problem: "must not be 0 when maxSurge is 0 (nothing could move)")
        }
    }

    var json: JSONValue {
        var json: JSONValue = ["version": .string(version)]
        if let maxSurge { json["maxSurge"] = .int(Int64(maxSurge)) }
        if let maxUnavailable { json["maxUnavailable"] = .int(Int64(maxUnavailable)) }
        return json
    }
}

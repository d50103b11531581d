import KubeModel

/// Which pods a ReplicaSet removes first when it has too many, as the ReplicaSet
/// controller's `ActivePods` ordering: pods not yet on a node before bound ones, pending
/// before running, not ready before ready, and the youngest before the old (the young have
/// the least work to lose).
enum PodDeletionOrder {
    static func pick(_ count: Int, from pods: [JSONValue]) -> [JSONValue] {
        Array(pods.sorted(by: comesFirst).prefix(max(0, count)))
    }

    static func comesFirst(_ left: JSONValue, _ right: JSONValue) -> Bool {
        let a = Pod(left)
        let b = Pod(right)
        if a.isBound != b.isBound { return !a.isBound }
        let aRunning = a.phase == .running
        let bRunning = b.phase == .running
        if aRunning != bRunning { return !aRunning }
        if a.isReady != b.isReady { return !a.isReady }
        let aCreated = a.creationDate ?? .distantFuture
        let bCreated = b.creationDate ?? .distantFuture
        if aCreated != bCreated { return aCreated > bCreated }
        return a.name < b.name
    }
}

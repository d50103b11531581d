import KubeModel

/// A workload's pod template (`spec.template`): its stable hash, and equality that ignores the
/// `pod-template-hash` label a Deployment adds to its ReplicaSets' templates.
struct PodTemplate: Sendable, Hashable {
    /// The label a Deployment puts on its ReplicaSets, their selectors and their pods.
    static let hashLabel = "pod-template-hash"

    var json: JSONValue

    init(_ json: JSONValue) { self.json = json }

    /// The template without the hash label (and without an emptied `labels`), as the
    /// Deployment carries it.
    var withoutHashLabel: PodTemplate {
        var copy = json
        var labels = copy.labels
        labels[Self.hashLabel] = nil
        copy.labels = labels
        return PodTemplate(copy)
    }

    /// Same template, the hash label aside (the Deployment controller's `EqualIgnoreHash`).
    func equalIgnoringHash(_ other: PodTemplate) -> Bool {
        withoutHashLabel.json == other.withoutHashLabel.json
    }

    /// A short, stable, DNS-safe hash of the template (and of the Deployment's
    /// `collisionCount`, which changes it when two templates collide): 32-bit FNV-1a over
    /// the template's canonical JSON (keys sorted), its decimal digits spelt in Kubernetes'
    /// generated-name alphabet, as `pod-template-hash` values look in a real cluster.
    func hash(collisionCount: Int64? = nil) -> String {
        var hash: UInt32 = 2_166_136_261
        var bytes = withoutHashLabel.json.serialized()
        if let collisionCount { bytes += Array("#\(collisionCount)".utf8) }
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(String(hash).utf8.map { alphabet[Int($0) % alphabet.count] })
    }
}

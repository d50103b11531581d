import KubeModel

/// The `spec` of a `coordination.k8s.io/v1` Lease as leader election reads and writes it.
///
/// Only these fields take part in the election; everything else on the Lease object (labels,
/// `preferredHolder`, `strategy`) is left as the server has it when the record is written back.
struct LeaseRecord: Sendable, Equatable {
    /// Who holds the lease; nil or empty when nobody does (after a release).
    var holderIdentity: String?
    /// How long candidates must see the lease unchanged before taking it.
    var leaseDurationSeconds: Int?
    var acquireTime: MicroTime?
    var renewTime: MicroTime?
    /// How many times the lease changed hands.
    var leaseTransitions: Int

    init(
        holderIdentity: String?, leaseDurationSeconds: Int?, acquireTime: MicroTime?, renewTime: MicroTime?,
        leaseTransitions: Int
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }

    /// Reads the record from a Lease object; missing fields stay nil (or zero transitions).
    init(lease: JSONValue) {
        let spec = lease["spec"]
        holderIdentity = spec?["holderIdentity"]?.stringValue
        leaseDurationSeconds = spec?["leaseDurationSeconds"]?.intValue.map { Int($0) }
        acquireTime = spec?["acquireTime"]?.stringValue.flatMap(MicroTime.init(parsing:))
        renewTime = spec?["renewTime"]?.stringValue.flatMap(MicroTime.init(parsing:))
        leaseTransitions = spec?["leaseTransitions"]?.intValue.map { Int($0) } ?? 0
    }

    /// The holder, with "nobody" spelled one way.
    var holder: String? {
        guard let holderIdentity, !holderIdentity.isEmpty else { return nil }
        return holderIdentity
    }

    /// Writes the record into a Lease object's `spec`, keeping its other fields.
    func write(into lease: inout JSONValue) {
        var spec = lease["spec"] ?? .object([:])
        spec["holderIdentity"] = holderIdentity.map(JSONValue.string)
        spec["leaseDurationSeconds"] = leaseDurationSeconds.map { .int(Int64($0)) }
        spec["acquireTime"] = acquireTime.map { .string($0.description) }
        spec["renewTime"] = renewTime.map { .string($0.description) }
        spec["leaseTransitions"] = .int(Int64(leaseTransitions))
        lease["spec"] = spec
    }
}

/// What runs inside a simulated VM, for VMs that host something real. In embedded mode a lab
/// cluster's control-plane VM hosts a virtual cluster of the embedded API server; the
/// simulated KubeVirt tells the host when the VM runs, is snapshotted, is restored and goes
/// away, so the guest's state follows the VM as its disk would on a real cluster.
///
/// `labels` are the VM template's (the VMI's) labels: they say what the guest is.
public protocol GuestHost: Sendable {
    /// The VM is running: its guest must be up (called on every reconcile of a running VMI).
    func running(namespace: String, vm: String, labels: [String: String]) async throws
    /// A `VirtualMachineSnapshot` is taken: keep the guest's state under the content's name.
    func capture(namespace: String, vm: String, labels: [String: String], content: String) async throws
    /// A `VirtualMachineRestore` completes: bring the guest back to the content's state.
    func restore(namespace: String, vm: String, labels: [String: String], content: String) async throws
    /// The VM is being deleted.
    func discard(namespace: String, vm: String, labels: [String: String]) async
    /// The VM's instance stopped or went away (halted, stopped, failed) while the VM may
    /// remain: its guest is down until ``running(namespace:vm:labels:)`` is called again.
    /// `labels` are empty when the instance is already gone.
    func stopped(namespace: String, vm: String, labels: [String: String]) async
}

extension GuestHost {
    /// Hosts whose guest's state survives a power-off need do nothing.
    public func stopped(namespace: String, vm: String, labels: [String: String]) async {}
}

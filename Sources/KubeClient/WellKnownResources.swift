/// The resources Virtyard's controllers address, named once.
///
/// The KubeVirt, CDI and snapshot kinds are CRDs on a real cluster and in the embedded server
/// alike, so their versions here are the ones those projects serve.
extension ResourceType {
    public static let namespaces = core("namespaces", "Namespace", namespaced: false)
    public static let nodes = core("nodes", "Node", namespaced: false)
    public static let pods = core("pods", "Pod")
    public static let configMaps = core("configmaps", "ConfigMap")
    public static let secrets = core("secrets", "Secret")
    public static let events = core("events", "Event")
    public static let persistentVolumeClaims = core("persistentvolumeclaims", "PersistentVolumeClaim")
    public static let leases = ResourceType(
        group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease",
        namespaced: true)

    public static let virtualMachines = kubeVirt("virtualmachines", "VirtualMachine")
    public static let virtualMachineInstances = kubeVirt("virtualmachineinstances", "VirtualMachineInstance")
    public static let virtualMachineInstanceMigrations = kubeVirt(
        "virtualmachineinstancemigrations",
        "VirtualMachineInstanceMigration")
    public static let virtualMachineSnapshots = snapshot("virtualmachinesnapshots", "VirtualMachineSnapshot")
    public static let virtualMachineSnapshotContents = snapshot(
        "virtualmachinesnapshotcontents",
        "VirtualMachineSnapshotContent")
    public static let virtualMachineRestores = snapshot("virtualmachinerestores", "VirtualMachineRestore")

    public static let dataVolumes = ResourceType(
        group: "cdi.kubevirt.io", version: "v1beta1", resource: "datavolumes",
        kind: "DataVolume", namespaced: true)
    public static let volumeSnapshots = csiSnapshot("volumesnapshots", "VolumeSnapshot", namespaced: true)
    public static let volumeSnapshotContents = csiSnapshot("volumesnapshotcontents", "VolumeSnapshotContent", namespaced: false)
    public static let volumeSnapshotClasses = csiSnapshot("volumesnapshotclasses", "VolumeSnapshotClass", namespaced: false)

    private static func core(_ resource: String, _ kind: String, namespaced: Bool = true) -> ResourceType {
        ResourceType(group: "", version: "v1", resource: resource, kind: kind, namespaced: namespaced)
    }

    private static func kubeVirt(_ resource: String, _ kind: String) -> ResourceType {
        ResourceType(group: "kubevirt.io", version: "v1", resource: resource, kind: kind, namespaced: true)
    }

    private static func csiSnapshot(_ resource: String, _ kind: String, namespaced: Bool) -> ResourceType {
        ResourceType(group: "snapshot.storage.k8s.io", version: "v1", resource: resource, kind: kind, namespaced: namespaced)
    }

    private static func snapshot(_ resource: String, _ kind: String) -> ResourceType {
        ResourceType(group: "snapshot.kubevirt.io", version: "v1beta1", resource: resource, kind: kind, namespaced: true)
    }
}

/// Runs a call and turns the errors `expected` accepts into nil — "create unless it exists",
/// "delete unless already gone" — rethrowing the rest.
///
/// Written with a `Result` rather than `catch where`, which crashes the Swift 6.3 compiler in
/// some async contexts.
public func tolerating<T>(
    _ expected: (KubeClientError) -> Bool,
    _ body: () async throws(KubeClientError) -> T
) async throws(KubeClientError) -> T? {
    let result: Result<T, KubeClientError>
    do {
        result = .success(try await body())
    } catch {
        result = .failure(error)
    }
    switch result {
    case .success(let value): return value
    case .failure(let error) where expected(error): return nil
    case .failure(let error): throw error
    }
}

extension KubeClientError {
    public static let notFound: @Sendable (KubeClientError) -> Bool = { $0.isNotFound }
    public static let alreadyExists: @Sendable (KubeClientError) -> Bool = { $0.isAlreadyExists }
}

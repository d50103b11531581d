import Foundation
import KubeModel
import Simulation
import Yams

// Instruction counts (issue 17): `--suite instructions --kernel <name>` sets a hot path up,
// then runs it inside `countedRegion`, the one function `bench/instructions.py` tells
// callgrind to count (`--toggle-collect=*countedRegion*`: its mangled name keeps the word). Set-up, start-up and teardown are not
// counted, so the figure repeats to the instruction whatever else the machine is doing.
// Each kernel has a baseline kernel (`<name>-baseline`) run in its own process the same way.

/// The work to count; set once before `countedRegion` runs.
nonisolated(unsafe) private var measuredWork: () -> Int = { 0 }
/// Results land here so the optimiser cannot drop the work.
nonisolated(unsafe) private var sink = 0

@inline(never)
func countedRegion() {
    sink &+= measuredWork()
}

struct InstructionKernel: Sendable {
    var name: String
    /// What one repetition does, for the table.
    var description: String
    var repetitions: Int
    /// Builds the inputs (not counted) and returns one repetition of the work.
    var prepare: @Sendable () throws -> () -> Int
}

/// A 10 KB object: a virt-launcher pod with the environment and labels a busy one carries.
func tenKilobyteObject() -> JSONValue {
    var pod = benchLauncherPod(1, launcher: LauncherPod())
    var index = 0
    while pod.serialized().count < 10_000 {
        pod[path: ["metadata", "labels", "example.com/label-\(index)"]] = .string("value-\(index)")
        pod[path: ["metadata", "annotations", "example.com/note-\(index)"]] = .string(String(repeating: "n", count: 64))
        index += 1
    }
    return pod
}

/// The KubeVirt VirtualMachine schema, as the embedded API admits VMs with it.
func virtualMachineSchema() throws -> OpenAPISchema {
    guard let file = SimulationCRDs.files.first(where: { $0.lastPathComponent == "kubevirt.io_virtualmachines.yaml" }) else {
        throw BenchFailure("the VirtualMachine CRD is not in this build")
    }
    let yaml = try Yams.load(yaml: String(contentsOf: file, encoding: .utf8))
    let crd = try JSONValue(parsing: JSONSerialization.data(withJSONObject: yaml as Any))
    guard
        let version = crd[path: ["spec", "versions"]]?.arrayValue?.first(where: { $0["name"]?.stringValue == "v1" }),
        let schema = version[path: ["schema", "openAPIV3Schema"]]
    else { throw BenchFailure("the VirtualMachine CRD has no v1 schema") }
    return OpenAPISchema(schema)
}

func benchVirtualMachine() throws -> JSONValue {
    try JSONValue(
        parsing: """
            {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
             "metadata": {"name": "lab-vm", "namespace": "lab-1", "labels": {"app": "lab"}},
             "spec": {"runStrategy": "Always",
              "dataVolumeTemplates": [{"metadata": {"name": "lab-vm-root"},
                "spec": {"source": {"registry": {"url": "docker://quay.io/containerdisks/fedora:41"}},
                         "storage": {"resources": {"requests": {"storage": "10Gi"}}}}}],
              "template": {"metadata": {"labels": {"kubevirt.io/domain": "lab-vm"}},
               "spec": {"domain": {"cpu": {"cores": 2}, "memory": {"guest": "4Gi"},
                 "devices": {"disks": [{"name": "root", "disk": {"bus": "virtio"}},
                                       {"name": "cloudinit", "disk": {"bus": "virtio"}}],
                             "interfaces": [{"name": "default", "masquerade": {}}]},
                 "resources": {"requests": {"memory": "4Gi"}}},
                "networks": [{"name": "default", "pod": {}}],
                "volumes": [{"name": "root", "dataVolume": {"name": "lab-vm-root"}},
                            {"name": "cloudinit", "cloudInitNoCloud": {"userData": "#cloud-config\\npassword: lab\\n"}}]}}}}
            """)
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Pod labels for the selector kernel: 10,000 objects, a tenth of them `app=web`.
func selectorLabels() -> [[String: String]] {
    (0..<10_000).map { index in
        [
            "app": index % 10 == 0 ? "web" : "worker-\(index % 7)", "tier": ["front", "back", "batch"][index % 3],
            "pod-template-hash": String(index, radix: 16), "kubevirt.io/domain": "vm-\(index)",
        ]
    }
}

let instructionKernels: [InstructionKernel] = [
    InstructionKernel(
        name: "json", description: "parse and serialize a 10 KB object", repetitions: 50,
        prepare: {
            let bytes = tenKilobyteObject().serialized()
            return { (try? JSONValue(parsing: bytes))?.serialized().count ?? 0 }
        }),
    InstructionKernel(
        name: "json-baseline", description: "the same bytes through Foundation's JSONSerialization", repetitions: 50,
        prepare: {
            let data = Data(tenKilobyteObject().serialized())
            return {
                guard let object = try? JSONSerialization.jsonObject(with: data) else { return 0 }
                return (try? JSONSerialization.data(withJSONObject: object))?.count ?? 0
            }
        }),
    InstructionKernel(
        name: "strategic-merge-patch", description: "a strategic merge patch of the 10 KB pod", repetitions: 50,
        prepare: {
            let pod = tenKilobyteObject()
            let patch = try JSONValue(
                parsing: """
                    {"metadata": {"labels": {"patched": "yes"}},
                     "spec": {"containers": [{"name": "compute", "image": "quay.io/kubevirt/virt-launcher:v1.6.0"}],
                              "tolerations": [{"key": "example.com/maintenance", "operator": "Exists"}]}}
                    """)
            return { (try? StrategicMergePatch.apply(patch, to: pod))?.objectValue?.count ?? 0 }
        }),
    InstructionKernel(
        name: "strategic-merge-patch-baseline", description: "the same change as a JSON merge patch (RFC 7386)",
        repetitions: 50,
        prepare: {
            let pod = tenKilobyteObject()
            var containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
            containers[0]["image"] = "quay.io/kubevirt/virt-launcher:v1.6.0"
            var tolerations = pod[path: ["spec", "tolerations"]]?.arrayValue ?? []
            tolerations.append(["key": "example.com/maintenance", "operator": "Exists"])
            let patch: JSONValue = [
                "metadata": ["labels": ["patched": "yes"]],
                "spec": ["containers": .array(containers), "tolerations": .array(tolerations)],
            ]
            return { MergePatch.apply(patch, to: pod).objectValue?.count ?? 0 }
        }),
    InstructionKernel(
        name: "label-selector", description: "`app=web,tier in (front,back)` over 10,000 objects", repetitions: 1,
        prepare: {
            let labels = selectorLabels()
            let selector = try LabelSelector(parsing: "app=web,tier in (front,back)")
            return { labels.reduce(0) { $0 + (selector.matches($1) ? 1 : 0) } }
        }),
    InstructionKernel(
        name: "label-selector-baseline", description: "the same test written out by hand", repetitions: 1,
        prepare: {
            let labels = selectorLabels()
            return {
                labels.reduce(0) { count, labels in
                    let tier = labels["tier"]
                    return count + (labels["app"] == "web" && (tier == "front" || tier == "back") ? 1 : 0)
                }
            }
        }),
    InstructionKernel(
        name: "scheduling-cycle", description: "one cycle at 5,000 nodes, a pod shape seen before", repetitions: 1,
        prepare: { schedulingCycle(shapeSeenBefore: true) }),
    InstructionKernel(
        name: "scheduling-cycle-baseline", description: "the first pod of its shape (every plugin asked)", repetitions: 1,
        prepare: { schedulingCycle(shapeSeenBefore: false) }),
    InstructionKernel(
        name: "admission", description: "admit a KubeVirt VM: prune, default, validate by its CRD schema",
        repetitions: 20,
        prepare: {
            let schema = try virtualMachineSchema()
            let bytes = try benchVirtualMachine().serialized()
            return {
                guard let vm = try? JSONValue(parsing: bytes) else { return 0 }
                let defaulted = schema.applyDefaults(schema.prune(vm).pruned)
                return schema.validate(defaulted).count + (defaulted.objectValue?.count ?? 0)
            }
        }),
    InstructionKernel(
        name: "admission-baseline", description: "parsing the same VM's bytes", repetitions: 20,
        prepare: {
            let bytes = try benchVirtualMachine().serialized()
            return { (try? JSONValue(parsing: bytes))?.objectValue?.count ?? 0 }
        }),
]

/// The scheduler's state after placing a few pods on 5,000 nodes; the returned work places
/// one more pod.
func schedulingCycle(shapeSeenBefore: Bool) -> () -> Int {
    var cache = SchedulerCache()
    for index in 0..<5_000 { cache.upsertNode(NodeInfo(benchNode(index))) }
    let launcher = LauncherPod()
    var algorithm = SchedulingAlgorithm()
    func pod(_ index: Int) -> SchedulingPod {
        var pod = SchedulingPod(benchLauncherPod(index, launcher: launcher))
        pod.uid = "uid-\(index)"
        if !shapeSeenBefore { pod.nodeSelector = ["shape": "\(index)"] }
        return pod
    }
    for index in 0..<10 {
        let placed = pod(index)
        if case .scheduled(let node, _, _) = algorithm.schedule(placed, in: &cache) { cache.addPod(placed, on: node) }
    }
    // A node selector matching nothing would fail every node; the baseline's shape must pass.
    var next = pod(10)
    if !shapeSeenBefore { next.nodeSelector = [:] }
    return {
        if case .scheduled(_, let evaluated, _) = algorithm.schedule(next, in: &cache) { return evaluated }
        return 0
    }
}

func instructionsBenchmark() throws {
    guard let name = arguments.firstIndex(of: "--kernel").map({ arguments[$0 + 1] }) else {
        // Without a kernel: list them for bench/instructions.py.
        for kernel in instructionKernels { print("\(kernel.name)\t\(kernel.repetitions)\t\(kernel.description)") }
        return
    }
    guard let kernel = instructionKernels.first(where: { $0.name == name }) else {
        throw BenchFailure("no kernel \(name); known: \(instructionKernels.map(\.name).joined(separator: ", "))")
    }
    let once = try kernel.prepare()
    measuredWork = {
        var total = 0
        for _ in 0..<kernel.repetitions { total &+= once() }
        return total
    }
    countedRegion()
    print("\(kernel.name): \(sink)")
}

import ControllerKit
import KubeModel

/// Who still needs an image's data: VirtualMachines that clone its DataVolume, mount its
/// claim, or restore from its snapshot, and DataVolumes cloning from it that have not finished.
enum ImageUsage {
    static func users(of image: JSONValue, virtualMachines: Informer, dataVolumes: Informer) -> [String] {
        guard let name = image.name else { return [] }
        let namespace = image.namespace ?? "default"
        var users: [String] = []
        for vm in virtualMachines.list() {
            let vmNamespace = vm.namespace ?? "default"
            let templates = vm[path: ["spec", "dataVolumeTemplates"]]?.arrayValue ?? []
            let clones = templates.contains { references($0[path: ["spec", "source"]], name, namespace, defaultNamespace: vmNamespace) }
            let volumes = vm[path: ["spec", "template", "spec", "volumes"]]?.arrayValue ?? []
            let mounts = vmNamespace == namespace && volumes.contains {
                $0[path: ["dataVolume", "name"]]?.stringValue == name
                    || $0[path: ["persistentVolumeClaim", "claimName"]]?.stringValue == name
            }
            if clones || mounts { users.append("VirtualMachine \(vmNamespace)/\(vm.name ?? "")") }
        }
        for dataVolume in dataVolumes.list() where dataVolume[path: ["status", "phase"]]?.stringValue != "Succeeded" {
            let dataVolumeNamespace = dataVolume.namespace ?? "default"
            guard !(dataVolumeNamespace == namespace && dataVolume.name == name),
                  references(dataVolume[path: ["spec", "source"]], name, namespace, defaultNamespace: dataVolumeNamespace)
            else { continue }
            users.append("DataVolume \(dataVolumeNamespace)/\(dataVolume.name ?? "")")
        }
        return users.sorted()
    }

    /// A DataVolume source that clones the claim or restores the snapshot `namespace/name`.
    private static func references(_ source: JSONValue?, _ name: String, _ namespace: String, defaultNamespace: String) -> Bool {
        for kind in ["pvc", "snapshot"] {
            guard let reference = source?[kind], reference["name"]?.stringValue == name else { continue }
            if (reference["namespace"]?.stringValue ?? defaultNamespace) == namespace { return true }
        }
        return false
    }

    /// Images `object` (a VirtualMachine or DataVolume) refers to, for waking deletions that wait.
    static func referencedImages(by object: JSONValue) -> [ObjectKey] {
        let namespace = object.namespace ?? "default"
        var keys: [ObjectKey] = []
        var sources: [JSONValue] = object[path: ["spec", "dataVolumeTemplates"]]?.arrayValue?.compactMap { $0[path: ["spec", "source"]] } ?? []
        if let source = object[path: ["spec", "source"]] { sources.append(source) }
        for source in sources {
            for kind in ["pvc", "snapshot"] {
                if let name = source[kind]?["name"]?.stringValue {
                    keys.append(ObjectKey(namespace: source[kind]?["namespace"]?.stringValue ?? namespace, name: name))
                }
            }
        }
        for volume in object[path: ["spec", "template", "spec", "volumes"]]?.arrayValue ?? [] {
            if let name = volume[path: ["dataVolume", "name"]]?.stringValue ?? volume[path: ["persistentVolumeClaim", "claimName"]]?.stringValue {
                keys.append(ObjectKey(namespace: namespace, name: name))
            }
        }
        return keys
    }
}

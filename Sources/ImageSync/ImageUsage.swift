import ControllerKit
import KubeModel

/// Who still needs an image's data: VirtualMachines that clone its DataVolume, mount its
/// claim, or restore from its snapshot, and DataVolumes cloning from it that have not finished.
enum ImageUsage {
    static func users(of image: JSONValue, virtualMachines: Informer, dataVolumes: Informer) -> [String] {
        guard let name = image.name else { return [] }
        let namespace = image.namespace ?? "default"
        var users: [String] = []
        for vm in virtualMachines.list().map(VirtualMachine.init) {
            let clones = vm.dataVolumeTemplateSources.contains { references($0, name, namespace, defaultNamespace: vm.namespace) }
            let mounts = vm.namespace == namespace && vm.volumes.contains { $0.dataVolumeName == name || $0.claimName == name }
            if clones || mounts { users.append("VirtualMachine \(vm.namespace)/\(vm.name)") }
        }
        for dataVolume in dataVolumes.list().map(DataVolume.init) where dataVolume.phase != .succeeded {
            guard !(dataVolume.namespace == namespace && dataVolume.name == name),
                let source = dataVolume.source, references(source, name, namespace, defaultNamespace: dataVolume.namespace)
            else { continue }
            users.append("DataVolume \(dataVolume.namespace)/\(dataVolume.name)")
        }
        return users.sorted()
    }

    /// A DataVolume source that clones the claim or restores the snapshot `namespace/name`.
    private static func references(
        _ source: DataVolume.Source, _ name: String, _ namespace: String,
        defaultNamespace: String
    ) -> Bool {
        [source.pvc, source.snapshot].contains { reference in
            guard let reference, reference.name == name else { return false }
            return (reference.namespace ?? defaultNamespace) == namespace
        }
    }

    /// Images `object` (a VirtualMachine or DataVolume) refers to, for waking deletions that wait.
    static func referencedImages(by object: JSONValue) -> [ObjectKey] {
        let namespace = object.namespace ?? "default"
        // Both kinds are read through their views; a field the object's kind lacks reads as absent.
        let vm = VirtualMachine(object)
        var sources = vm.dataVolumeTemplateSources
        if let source = DataVolume(object).source { sources.append(source) }
        var keys: [ObjectKey] = []
        for source in sources {
            for reference in [source.pvc, source.snapshot].compactMap({ $0 }) {
                keys.append(ObjectKey(namespace: reference.namespace ?? namespace, name: reference.name))
            }
        }
        for volume in vm.volumes {
            if let name = volume.dataVolumeName ?? volume.claimName {
                keys.append(ObjectKey(namespace: namespace, name: name))
            }
        }
        return keys
    }
}

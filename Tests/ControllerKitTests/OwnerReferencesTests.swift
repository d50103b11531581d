import ControllerKit
import KubeClient
import KubeModel
import Testing

@Suite struct OwnerReferencesTests {
    private func vm(_ name: String = "demo", uid: String? = "uid-vm", namespace: String? = "labs") -> JSONValue {
        var object: JSONValue = ["apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": [:]]
        object.name = name
        object.uid = uid
        object.namespace = namespace
        return object
    }

    private func vmi(namespace: String? = "labs") -> JSONValue {
        var object: JSONValue = ["apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "metadata": [:]]
        object.name = "demo"
        object.namespace = namespace
        return object
    }

    @Test func controllerReferenceIsBuiltFromTheOwnerAndItsType() throws {
        var instance = vmi()
        #expect(try OwnerReferences.setController(vm(), .virtualMachines, on: &instance))
        #expect(
            instance[path: ["metadata", "ownerReferences"]] == [
                [
                    "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "name": "demo", "uid": "uid-vm",
                    "controller": true, "blockOwnerDeletion": true,
                ]
            ])
        #expect(instance.controllerReference?.uid == "uid-vm")
        #expect(instance.isControlled(by: vm()))
        #expect(instance.isOwned(by: vm()))
    }

    @Test func settingTheSameControllerTwiceChangesNothing() throws {
        var instance = vmi()
        try OwnerReferences.setController(vm(), .virtualMachines, on: &instance)
        let once = instance
        #expect(try OwnerReferences.setController(vm(), .virtualMachines, on: &instance) == false)
        #expect(instance == once)
    }

    @Test func aSecondControllerIsRefusedAndTheObjectKept() throws {
        var instance = vmi()
        try OwnerReferences.setController(vm(), .virtualMachines, on: &instance)
        let before = instance
        #expect(
            throws: OwnerReferenceError.alreadyControlled(
                object: "VirtualMachineInstance labs/demo",
                controller: OwnerReference(
                    apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: "demo", uid: "uid-vm",
                    controller: true, blockOwnerDeletion: true))
        ) {
            try OwnerReferences.setController(vm("other", uid: "uid-other"), .virtualMachines, on: &instance)
        }
        #expect(instance == before)
        // The same owner under another kind is another object: refused as well.
        #expect(throws: OwnerReferenceError.self) {
            try OwnerReferences.setController(vm(), .virtualMachineInstanceMigrations, on: &instance)
        }
    }

    @Test func aRecreatedOwnerReplacesItsOldReference() throws {
        // Same group, kind and name is the same owner (controller-runtime's referSameObject):
        // its new uid and version replace the old entry rather than adding a second controller.
        var instance = vmi()
        try OwnerReferences.setController(vm(uid: "old"), .virtualMachines, on: &instance)
        var v1alpha3 = ResourceType.virtualMachines
        v1alpha3.version = "v1alpha3"
        #expect(try OwnerReferences.setController(vm(uid: "new"), v1alpha3, on: &instance))
        #expect(instance.ownerReferences.count == 1)
        #expect(instance.ownerReferences.first?.uid == "new")
        #expect(instance.ownerReferences.first?.apiVersion == "kubevirt.io/v1alpha3")
    }

    @Test func plainOwnersAreAddedBesideTheController() throws {
        var instance = vmi()
        try OwnerReferences.setController(vm(), .virtualMachines, on: &instance)
        var node: JSONValue = ["metadata": ["name": "kwok-node-1", "uid": "uid-node"]]
        node.kind = "Node"
        #expect(try OwnerReferences.set(node, .nodes, on: &instance))
        #expect(try OwnerReferences.set(node, .nodes, on: &instance) == false)
        #expect(instance.ownerReferences.map(\.kind) == ["VirtualMachine", "Node"])
        let plain = try #require(instance.ownerReferences.last)
        #expect(plain.controller == nil && plain.blockOwnerDeletion == nil)
        #expect(instance.isOwned(by: node))
        #expect(!instance.isControlled(by: node))
        #expect(instance.controllerReference?.kind == "VirtualMachine")
    }

    @Test func settingAControllerAsPlainOwnerDemotesIt() throws {
        // controller-runtime replaces the entry whole.
        var instance = vmi()
        try OwnerReferences.setController(vm(), .virtualMachines, on: &instance)
        #expect(try OwnerReferences.set(vm(), .virtualMachines, on: &instance))
        #expect(instance.controllerReference == nil)
        #expect(instance.isOwned(by: vm()))
    }

    @Test func removeTakesOnlyThatOwner() throws {
        var instance = vmi()
        try OwnerReferences.setController(vm(), .virtualMachines, on: &instance)
        let node: JSONValue = ["metadata": ["name": "n", "uid": "uid-node"]]
        try OwnerReferences.set(node, .nodes, on: &instance)
        #expect(OwnerReferences.remove(vm(), .virtualMachines, from: &instance))
        #expect(!OwnerReferences.remove(vm(), .virtualMachines, from: &instance))
        #expect(instance.ownerReferences.map(\.uid) == ["uid-node"])
        #expect(OwnerReferences.remove(node, .nodes, from: &instance))
        #expect(instance[path: ["metadata", "ownerReferences"]] == nil)
    }

    @Test func anOwnerNeverStoredIsRefused() {
        var instance = vmi()
        #expect(throws: OwnerReferenceError.ownerNotStored(owner: "VirtualMachine demo")) {
            try OwnerReferences.setController(vm(uid: nil), .virtualMachines, on: &instance)
        }
        #expect(throws: OwnerReferenceError.self) {
            try OwnerReferences.set(vm(uid: ""), .virtualMachines, on: &instance)
        }
        #expect(instance.ownerReferences.isEmpty)
    }

    @Test func namespacedOwnersStayInTheirNamespace() throws {
        var elsewhere = vmi(namespace: "other")
        #expect(throws: OwnerReferenceError.crossNamespace(object: "VirtualMachineInstance other/demo", ownerNamespace: "labs")) {
            try OwnerReferences.setController(vm(), .virtualMachines, on: &elsewhere)
        }
        var clusterScoped: JSONValue = ["kind": "Namespace", "metadata": ["name": "lab-1"]]
        #expect(throws: OwnerReferenceError.clusterScopedDependent(object: "Namespace lab-1", ownerNamespace: "labs")) {
            try OwnerReferences.setController(vm(), .virtualMachines, on: &clusterScoped)
        }
        // A cluster-scoped owner may own objects anywhere.
        let pool: JSONValue = ["metadata": ["name": "pool", "uid": "uid-pool"]]
        #expect(try OwnerReferences.setController(pool, .nodes, on: &clusterScoped))
        #expect(try OwnerReferences.setController(pool, .nodes, on: &elsewhere))
    }

    @Test func ownershipIsDecidedByUID() throws {
        var instance = vmi()
        try OwnerReferences.setController(vm(), .virtualMachines, on: &instance)
        // Same name, another object (recreated): not the owner.
        #expect(!instance.isOwned(by: vm(uid: "someone-else")))
        #expect(!instance.isControlled(by: vm(uid: "someone-else")))
        #expect(!instance.isOwned(by: vm(uid: nil)))
    }

    @Test func referenceBuildsWithoutChecking() {
        let plain = OwnerReferences.reference(to: vm(), .virtualMachines, controller: false)
        #expect(plain == OwnerReference(apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: "demo", uid: "uid-vm"))
        let controller = OwnerReferences.reference(to: vm(), .virtualMachines)
        #expect(controller.controller == true && controller.blockOwnerDeletion == true)
    }
}

import ControllerKit
import KubeClient
import KubeModel

/// An informer index of objects by the `uid` of their controlling owner: a ReplicaSet finds
/// its pods, a Deployment its ReplicaSets, a Job its pods, in one lookup instead of a scan of
/// the namespace. Following the owner reference rather than the selector is what the real
/// controllers do once an object is adopted.
enum ControllerUIDIndex {
    static let name = "metadata.ownerReferences.controller.uid"

    static let function: Indexer.IndexFunction = { object in
        object.controllerReference.map { [$0.uid] } ?? []
    }
}

extension Informer {
    /// Adds ``ControllerUIDIndex``; adding it again rebuilds the same index.
    func indexByControllerUID() {
        addIndex(ControllerUIDIndex.name, ControllerUIDIndex.function)
    }

    /// The cached objects whose controller has this uid.
    func controlled(by uid: String) -> [JSONValue] {
        byIndex(ControllerUIDIndex.name, uid)
    }
}

extension JSONValue {
    /// The object with `kind` and `apiVersion` filled in: list items may lack them, and
    /// Events name the object by kind.
    func typed(_ resource: KubeClient.ResourceType) -> JSONValue {
        var copy = self
        copy.kind = resource.kind
        copy.apiVersion = resource.apiVersion
        return copy
    }
}

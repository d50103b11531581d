import KubeClient
import KubeModel

/// An informer whose events should trigger reconciles, and how each of its objects maps to the
/// keys of the objects the controller reconciles.
///
/// A controller reconciles one kind (its primary resource) but must react to others: a
/// VirtualMachine controller reconciles a VM again when its VirtualMachineInstance changes.
/// controller-runtime expresses this as `For`, `Owns` and `Watches` with a map function; these
/// are the same three shapes.
public struct KeySource: Sendable {
    /// The informer whose events are watched.
    public let informer: Informer
    /// The keys to reconcile when an object of the informer changes.
    public let keys: @Sendable (JSONValue) -> [ObjectKey]

    /// A source with any mapping; see ``primary(_:)``, ``owned(_:by:)`` and ``mapped(_:_:)`` for the usual ones.
    public init(informer: Informer, keys: @escaping @Sendable (JSONValue) -> [ObjectKey]) {
        self.informer = informer
        self.keys = keys
    }

    /// The primary resource: each object maps to its own key (controller-runtime's `For`).
    public static func primary(_ informer: Informer) -> KeySource {
        KeySource(informer: informer) { object in ObjectKey(object).map { [$0] } ?? [] }
    }

    /// Objects owned by the primary resource: each maps to the key of its controlling owner of
    /// kind `owner`, if it has one (controller-runtime's `Owns`, which follows only the
    /// `controller: true` owner reference).
    public static func owned(_ informer: Informer, by owner: ResourceType) -> KeySource {
        KeySource(informer: informer) { object in controllerOwnerKeys(of: object, ownerType: owner) }
    }

    /// Any mapping, for relations that are not ownership (a node's pods, a policy's targets).
    public static func mapped(_ informer: Informer, _ keys: @escaping @Sendable (JSONValue) -> [ObjectKey]) -> KeySource {
        KeySource(informer: informer, keys: keys)
    }

    /// The key of the owner that controls `object`, when that owner is of `ownerType`.
    ///
    /// An owner reference names its owner by `apiVersion` and `kind`; the version is ignored
    /// (the same object is reachable through every served version), the group and kind must
    /// match. Owners live in the child's namespace, or are cluster-scoped.
    public static func controllerOwnerKeys(of object: JSONValue, ownerType: ResourceType) -> [ObjectKey] {
        object.ownerReferences.compactMap { reference in
            guard reference.controller == true, reference.kind == ownerType.kind,
                Self.group(of: reference.apiVersion) == ownerType.group, !reference.name.isEmpty
            else { return nil }
            return ObjectKey(namespace: ownerType.namespaced ? object.namespace : nil, name: reference.name)
        }
    }

    private static func group(of apiVersion: String) -> String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }
}

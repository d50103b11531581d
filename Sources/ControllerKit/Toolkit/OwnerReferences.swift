import KubeClient
import KubeModel

/// `metadata.ownerReferences` as controller-runtime's `controllerutil.SetControllerReference`
/// / `SetOwnerReference` and apimachinery's `metav1.GetControllerOf` / `IsControlledBy` keep
/// them: one entry per owner, at most one controller, and the same owner set twice changes
/// nothing.
///
/// An owner is given as its stored object (for `name` and `uid`) and its ``ResourceType``
/// (for `apiVersion` and `kind`, which list items do not always carry): the type plays the
/// part of controller-runtime's scheme.
public enum OwnerReferences {
    /// The reference to `owner`. A controller reference has `controller` and
    /// `blockOwnerDeletion` set, as `SetControllerReference` writes it (foreground deletion of
    /// the owner then waits for the dependent); a plain one has neither, as `SetOwnerReference`.
    ///
    /// Builds without checking: use it for an object made from scratch, whose references the
    /// caller sets whole. ``setController(_:_:on:)`` checks.
    public static func reference(to owner: JSONValue, _ ownerType: ResourceType, controller: Bool = true) -> OwnerReference {
        OwnerReference(
            apiVersion: ownerType.apiVersion, kind: ownerType.kind, name: owner.name ?? "", uid: owner.uid ?? "",
            controller: controller ? true : nil, blockOwnerDeletion: controller ? true : nil)
    }

    /// Makes `owner` the controller of `object` (controller-runtime's
    /// `SetControllerReference`): replaces a reference to the same owner (group, kind and name
    /// — a new `uid` or version replaces the old one) or appends one.
    ///
    /// - Returns: whether `object` changed.
    /// - Throws: ``OwnerReferenceError`` when another owner controls `object`, when `owner` has
    ///   no `uid` yet, or when the owner's namespace cannot own the object's; `object` is then
    ///   unchanged.
    @discardableResult
    public static func setController(
        _ owner: JSONValue, _ ownerType: ResourceType,
        on object: inout JSONValue
    ) throws(OwnerReferenceError) -> Bool {
        let wanted = try checkedReference(to: owner, ownerType, controller: true, on: object)
        if let existing = controller(of: object), !refersToSameObject(existing, wanted) {
            throw .alreadyControlled(object: describe(object), controller: existing)
        }
        return upsert(wanted, on: &object)
    }

    /// Adds `owner` to `object`'s owners without making it the controller (controller-runtime's
    /// `SetOwnerReference`). A reference to the same owner is replaced whole, so setting a
    /// former controller this way leaves it a plain owner, as in controller-runtime.
    ///
    /// - Returns: whether `object` changed.
    /// - Throws: ``OwnerReferenceError`` when `owner` has no `uid` yet or its namespace cannot
    ///   own the object's; `object` is then unchanged.
    @discardableResult
    public static func set(
        _ owner: JSONValue, _ ownerType: ResourceType,
        on object: inout JSONValue
    ) throws(OwnerReferenceError) -> Bool {
        upsert(try checkedReference(to: owner, ownerType, controller: false, on: object), on: &object)
    }

    /// Removes the reference to `owner` (controller-runtime's `RemoveOwnerReference`, without
    /// its error for a missing one); returns whether there was one.
    @discardableResult
    public static func remove(_ owner: JSONValue, _ ownerType: ResourceType, from object: inout JSONValue) -> Bool {
        let target = reference(to: owner, ownerType, controller: false)
        let before = object.ownerReferences
        let after = before.filter { !refersToSameObject($0, target) }
        guard after.count != before.count else { return false }
        object.ownerReferences = after
        return true
    }

    /// The reference with `controller: true`, if any (`metav1.GetControllerOf`).
    public static func controller(of object: JSONValue) -> OwnerReference? {
        object.ownerReferences.first { $0.controller == true }
    }

    /// Whether `object` has `owner` among its owners, controller or not: the same `uid`, the
    /// one thing that cannot name another object.
    public static func isOwned(_ object: JSONValue, by owner: JSONValue) -> Bool {
        guard let uid = owner.uid, !uid.isEmpty else { return false }
        return object.ownerReferences.contains { $0.uid == uid }
    }

    /// Whether `owner` is `object`'s controller (`metav1.IsControlledBy`: by `uid`).
    public static func isControlled(_ object: JSONValue, by owner: JSONValue) -> Bool {
        guard let uid = owner.uid, !uid.isEmpty else { return false }
        return controller(of: object)?.uid == uid
    }

    // MARK: - controller-runtime's rules

    /// The reference, once `owner` can own `object` (controller-runtime's `validateOwner`: a
    /// namespaced owner only owns objects of its own namespace; and a reference without a
    /// `uid` would look dangling to the garbage collector, which deletes the dependent).
    private static func checkedReference(
        to owner: JSONValue, _ ownerType: ResourceType, controller: Bool,
        on object: JSONValue
    ) throws(OwnerReferenceError) -> OwnerReference {
        guard let name = owner.name, !name.isEmpty, let uid = owner.uid, !uid.isEmpty else {
            throw .ownerNotStored(owner: "\(ownerType.kind) \(owner.name ?? "(unnamed)")")
        }
        if let ownerNamespace = owner.namespace, !ownerNamespace.isEmpty {
            guard let objectNamespace = object.namespace, !objectNamespace.isEmpty else {
                throw .clusterScopedDependent(object: describe(object), ownerNamespace: ownerNamespace)
            }
            guard objectNamespace == ownerNamespace else {
                throw .crossNamespace(object: describe(object), ownerNamespace: ownerNamespace)
            }
        }
        return reference(to: owner, ownerType, controller: controller)
    }

    /// controller-runtime's `referSameObject`: same API group (any version), kind and name.
    static func refersToSameObject(_ a: OwnerReference, _ b: OwnerReference) -> Bool {
        group(of: a.apiVersion) == group(of: b.apiVersion) && a.kind == b.kind && a.name == b.name
    }

    private static func upsert(_ reference: OwnerReference, on object: inout JSONValue) -> Bool {
        var references = object.ownerReferences
        if let index = references.firstIndex(where: { refersToSameObject($0, reference) }) {
            guard references[index] != reference else { return false }
            references[index] = reference
        } else {
            references.append(reference)
        }
        object.ownerReferences = references
        return true
    }

    private static func group(of apiVersion: String) -> Substring {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return apiVersion[..<slash]
    }

    private static func describe(_ object: JSONValue) -> String {
        let kind = object.kind ?? "object"
        let name = object.name ?? "(unnamed)"
        guard let namespace = object.namespace, !namespace.isEmpty else { return "\(kind) \(name)" }
        return "\(kind) \(namespace)/\(name)"
    }
}

/// Why ``OwnerReferences`` refused to set an owner. The object is left as it was.
public enum OwnerReferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// controller-runtime's `AlreadyOwnedError`: an object has one controller, and this one
    /// is someone else.
    case alreadyControlled(object: String, controller: OwnerReference)
    /// The owner has no `name` or `uid` (it was never stored).
    case ownerNotStored(owner: String)
    /// A namespaced owner of an object in another namespace.
    case crossNamespace(object: String, ownerNamespace: String)
    /// A namespaced owner of a cluster-scoped object (or of one with no namespace yet).
    case clusterScopedDependent(object: String, ownerNamespace: String)

    public var description: String {
        switch self {
        case .alreadyControlled(let object, let controller):
            return "\(object) is already controlled by \(controller.kind) \(controller.name) (uid \(controller.uid))"
        case .ownerNotStored(let owner):
            return "\(owner) has no name or uid yet: only a stored object can own another"
        case .crossNamespace(let object, let ownerNamespace):
            return "cross-namespace owner references are disallowed: owner in \(ownerNamespace), \(object)"
        case .clusterScopedDependent(let object, let ownerNamespace):
            return "a cluster-scoped object must not have a namespaced owner: \(object), owner in \(ownerNamespace)"
        }
    }
}

extension JSONValue {
    /// The owner reference with `controller: true`, if any (`metav1.GetControllerOf`).
    public var controllerReference: OwnerReference? { OwnerReferences.controller(of: self) }

    /// Whether `owner` (by `uid`) is among this object's owners.
    public func isOwned(by owner: JSONValue) -> Bool { OwnerReferences.isOwned(self, by: owner) }

    /// Whether `owner` (by `uid`) is this object's controller (`metav1.IsControlledBy`).
    public func isControlled(by owner: JSONValue) -> Bool { OwnerReferences.isControlled(self, by: owner) }
}

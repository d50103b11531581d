import KubeModel

/// The defaults kube-apiserver writes into built-in objects, on create and on every update
/// (its defaulting functions run whenever an object is decoded), and the few things its
/// storage strategies do at create only (a status nobody may set, a Job's generated
/// selector). One extension per API group: `BuiltinDefaults+core.swift`, `+apps`, … Pod
/// templates are filled by ``PodSpecDefaults``; a Service's addresses by
/// ``ServiceAddressAllocator``, which needs the store.
enum BuiltinDefaults {
    enum Operation { case create, update }

    static func apply(_ object: inout JSONValue, resource: APIResource, operation: Operation) {
        switch resource.group {
        case "": core(&object, resource: resource.resource, operation: operation)
        case "apps": apps(&object, resource: resource.resource, operation: operation)
        case "batch": batch(&object, resource: resource.resource, operation: operation)
        case "autoscaling": autoscaling(&object, resource: resource.resource, operation: operation)
        case "networking.k8s.io": networking(&object, resource: resource.resource, operation: operation)
        case "policy": policy(&object, resource: resource.resource, operation: operation)
        case "scheduling.k8s.io": scheduling(&object, resource: resource.resource)
        case "storage.k8s.io": storage(&object, resource: resource.resource)
        case "discovery.k8s.io": discovery(&object, resource: resource.resource)
        case "admissionregistration.k8s.io": admissionRegistration(&object, resource: resource.resource)
        default: break
        }
    }

    /// kube-apiserver's create strategies throw away a status the client sent: the
    /// controllers own it. `initial` is what a new object shows (fields Go never omits).
    static func resetStatus(_ object: inout JSONValue, operation: Operation, initial: JSONValue = [:]) {
        if operation == .create { object["status"] = initial }
    }
}

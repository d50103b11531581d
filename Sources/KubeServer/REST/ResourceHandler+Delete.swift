import Foundation
import KubeModel

extension ResourceHandler {
    /// `DeleteOptions` from the body (kubectl sends them there) or the query.
    struct DeleteOptions {
        var propagationPolicy: String
        var preconditionUID: String?
        var preconditionResourceVersion: String?
        var dryRun: Bool

        init(propagationPolicy: String) {
            self.propagationPolicy = propagationPolicy
            self.dryRun = false
        }

        init(_ call: Call) throws(APIError) {
            var policy = call.options.propagationPolicy
            var dryRun = call.options.dryRun
            if !call.body.isEmpty {
                let body: JSONValue
                do { body = try JSONValue(parsing: call.body) } catch {
                    throw APIError.badRequest("the DeleteOptions body is not valid JSON: \(error)")
                }
                policy = body["propagationPolicy"]?.stringValue ?? policy
                if body["orphanDependents"]?.boolValue == true { policy = "Orphan" }
                preconditionUID = body[path: ["preconditions", "uid"]]?.stringValue
                preconditionResourceVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
                if let modes = body["dryRun"]?.arrayValue, modes.contains("All") { dryRun = true }
            }
            let chosen = policy ?? "Background"
            guard ["Background", "Foreground", "Orphan"].contains(chosen) else {
                throw APIError.badRequest(
                    "propagationPolicy: Unsupported value: \"\(chosen)\": supported values: \"Background\", \"Foreground\", \"Orphan\"")
            }
            self.propagationPolicy = chosen
            self.dryRun = dryRun
        }
    }

    func delete(_ call: Call) async throws(APIError) -> APIResponse {
        let options = try DeleteOptions(call)
        let resource = call.resource
        let key = call.key
        if options.dryRun {
            guard let current = store.get(key) else {
                throw APIError.notFound(resource.resource, group: resource.group, name: key.name)
            }
            return .object(200, current.bytes)
        }
        let result = try await Self.delete(key, resource: resource, options: options, in: store)
        if let after = result.after { return .object(200, after.bytes) }
        if resource.schema != nil, let before = result.before {
            return .object(200, before.bytes)
        }
        return .object(200, Self.successStatus(resource: resource, name: key.name, uid: result.before?.object.uid))
    }

    /// Deletes one object the way Kubernetes does: immediately when nothing holds it, or by
    /// setting `deletionTimestamp` when finalizers (or the propagation policy's own) must
    /// run first.
    static func delete(_ key: StorageKey, resource: APIResource, options: DeleteOptions,
                       in store: ObjectStore) async throws(APIError) -> MutationResult {
        try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
            guard let current else { throw APIError.notFound(resource.resource, group: resource.group, name: key.name) }
            var object = current.object
            if let uid = options.preconditionUID, uid != object.uid {
                throw APIError.conflict(resource.resource, group: resource.group, name: key.name,
                                        "Precondition failed: UID in precondition: \(uid), UID in object meta: \(object.uid ?? "")")
            }
            if let version = options.preconditionResourceVersion, version != object.resourceVersion {
                throw APIError.conflict(resource.resource, group: resource.group, name: key.name,
                                        "Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in object meta: \(object.resourceVersion ?? "")")
            }
            var finalizers = object.finalizers
            switch options.propagationPolicy {
            case "Foreground" where !finalizers.contains(ObjectAdmission.finalizerForeground):
                finalizers.append(ObjectAdmission.finalizerForeground)
            case "Orphan" where !finalizers.contains(ObjectAdmission.finalizerOrphan):
                finalizers.append(ObjectAdmission.finalizerOrphan)
            default:
                break
            }
            let namespaceFinalizers = hasNamespaceFinalizers(object, resource)
            if finalizers.isEmpty && !namespaceFinalizers { return .delete }
            if object.deletionTimestamp != nil && finalizers == object.finalizers { return .unchanged }
            object.finalizers = finalizers
            if object.deletionTimestamp == nil {
                object.deletionTimestamp = Timestamp.now()
                object[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(0)
            }
            if namespaceFinalizers { object[path: ["status", "phase"]] = "Terminating" }
            return .put(object)
        }
    }

    func deleteCollection(_ call: Call) async throws(APIError) -> APIResponse {
        let options = try DeleteOptions(call)
        let namespace = call.resource.namespaced ? call.path.namespace : nil
        let (items, _) = store.list(call.resource.groupResource, namespace: namespace)
        var deleted: [[UInt8]] = []
        for item in items where call.options.matches(item.object) {
            let key = StorageKey(call.resource.groupResource, namespace: item.object.namespace ?? "",
                                name: item.object.name ?? "")
            if options.dryRun {
                deleted.append(item.bytes)
                continue
            }
            do {
                let result = try await Self.delete(key, resource: call.resource, options: options, in: store)
                if let object = result.after ?? result.before { deleted.append(object.bytes) }
            } catch where error.code == 404 {
                continue
            }
        }
        var body = Array("{\"apiVersion\":\"\(call.resource.apiVersion)\",\"kind\":\"\(call.resource.listKind)\",\"metadata\":{\"resourceVersion\":\"\(store.currentResourceVersion)\"},\"items\":[".utf8)
        for (index, item) in deleted.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: item)
        }
        body.append(contentsOf: "]}".utf8)
        return .object(200, body)
    }

    static func successStatus(resource: APIResource, name: String, uid: String?) -> [UInt8] {
        var details: JSONValue = ["name": .string(name), "kind": .string(resource.resource)]
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        if let uid { details["uid"] = .string(uid) }
        let status: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                                 "details": details]
        return status.serialized()
    }
}

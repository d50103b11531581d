import KubeModel

/// `PATCH` with `Content-Type: application/apply-patch+yaml`: server-side apply
/// (`kubectl apply --server-side`, the Python client's `create_from_yaml(apply=True)`).
/// The object is created when missing and merged otherwise (``ServerSideApply``).
extension ResourceHandler {
    static let applyMediaType = "application/apply-patch+yaml"

    /// Longest `fieldManager` kube-apiserver takes (`ValidateFieldManager`).
    static let maximumFieldManagerLength = 128

    func serverSideApply(_ call: Call, subresource: String?) async throws(APIError) -> APIResponse {
        let resource = call.resource
        let manager = try Self.validatedFieldManager(call.options.fieldManager)
        let configuration = try ApplyBody.parse(call.body)
        try Self.checkIdentity(configuration, of: resource, name: call.key.name)
        let apply = ServerSideApply(
            manager: manager, force: call.options.force ?? false, apiVersion: resource.apiVersion,
            now: Timestamp.now())

        if subresource == nil, store.get(call.key) == nil {
            do {
                return try await createApplied(configuration, apply: apply, call: call)
            } catch  where error.reason == .alreadyExists {
                // Created by someone else since the read: apply to theirs, as kube-apiserver does.
            }
        }
        return try await write(call, subresource: subresource) { (current: JSONValue) throws(APIError) -> JSONValue in
            var object = try apply.apply(configuration, to: current)
            // Identity is the live object's; the configuration may leave it out.
            object.apiVersion = current.apiVersion
            object.kind = current.kind
            return object
        }
    }

    /// The first apply of an object creates it, through the normal create path (admission,
    /// defaults, generated identity), with the manager's entry already in place.
    private func createApplied(_ configuration: JSONValue, apply: ServerSideApply, call: Call) async throws(APIError)
        -> APIResponse
    {
        var object = try apply.apply(configuration, to: nil)
        if call.resource.hasStatus { object["status"] = nil }
        object.apiVersion = call.resource.apiVersion
        object.kind = call.resource.kind
        object.name = call.key.name
        var create = call
        create.method = .post
        create.contentType = "application/json"
        create.body = object.serialized()
        return try await self.create(create)
    }

    /// kube-apiserver's `ValidatePatchOptions`: apply needs a manager, at most 128 bytes.
    static func validatedFieldManager(_ manager: String?) throws(APIError) -> String {
        guard let manager, !manager.isEmpty else {
            throw patchOptionsInvalid(
                .init(reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager"))
        }
        if manager.utf8.count > maximumFieldManagerLength {
            throw patchOptionsInvalid(
                .init(
                    reason: "FieldValueTooLong", message: "Too long: may not be more than \(maximumFieldManagerLength) bytes",
                    field: "fieldManager"))
        }
        return manager
    }

    /// `PatchOptions.meta.k8s.io "" is invalid: …`, as kube-apiserver words a bad option.
    static func patchOptionsInvalid(_ cause: APIError.Cause) -> APIError {
        APIError(
            code: 422, reason: .invalid,
            message: "PatchOptions.meta.k8s.io \"\" is invalid: \(cause.field): \(cause.message)",
            group: "meta.k8s.io", kind: "PatchOptions", name: "", causes: [cause])
    }

    /// The configuration must name the resource it is sent to: the URL's version and kind,
    /// and the URL's name when it names one.
    static func checkIdentity(_ configuration: JSONValue, of resource: APIResource, name: String) throws(APIError) {
        guard configuration.objectValue != nil else {
            throw APIError.badRequest("error decoding YAML: the apply configuration must be an object")
        }
        guard let kind = configuration.kind, !kind.isEmpty else {
            throw APIError.badRequest("Object 'Kind' is missing in the apply configuration")
        }
        let version = configuration.apiVersion ?? ""
        if version != resource.apiVersion {
            throw APIError.badRequest(
                "Incorrect version specified in apply patch. Specified patch version: \(version), expected: \(resource.apiVersion)")
        }
        if kind != resource.kind {
            throw APIError.badRequest(
                "the kind of the apply configuration (\(kind)) does not match the kind of the resource (\(resource.kind))")
        }
        if let sent = configuration.name, !sent.isEmpty, sent != name {
            throw APIError.badRequest("the name of the object (\(sent)) does not match the name on the URL (\(name))")
        }
    }
}

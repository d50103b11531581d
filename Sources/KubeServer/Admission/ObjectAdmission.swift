import Foundation
import KubeModel

/// What the API server does to an object on its way into storage: decoding (built-in kinds
/// by Kubernetes' own schemas, as Go decodes them), defaults, metadata the server owns,
/// status-subresource rules, and validation (names, built-in semantic checks, and for
/// custom resources the CRD's schema).
struct ObjectAdmission: Sendable {
    /// Warnings for the `Warning` response header (unknown fields dropped, for instance).
    typealias Warnings = [String]

    static let finalizerForeground = "foregroundDeletion"
    static let finalizerOrphan = "orphan"
    static let finalizerCRDCleanup = "customresourcecleanup.apiextensions.k8s.io"

    /// Allocates Services' cluster IPs and node ports; nil where no store is at hand (then
    /// Services are stored without a cluster IP).
    let serviceAddresses: ServiceAddressAllocator?

    init(store: ObjectStore? = nil) {
        serviceAddresses = store.map(ServiceAddressAllocator.init(store:))
    }

    // MARK: Create

    func prepareCreate(
        _ object: inout JSONValue, resource: APIResource, namespace: String?,
        fieldValidation: RequestOptions.FieldValidation
    ) throws(APIError) -> Warnings {
        guard object.objectValue != nil else { throw APIError.badRequest("the request body must be a JSON object") }
        try checkTypeMeta(&object, resource: resource)
        var warnings = try decodeBuiltin(&object, resource: resource, fieldValidation: fieldValidation)
        if resource.namespaced {
            if let declared = object.namespace, !declared.isEmpty, let namespace, declared != namespace {
                throw APIError.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request")
            }
            object.namespace = namespace
        } else {
            object[path: ["metadata", "namespace"]] = nil
        }
        if object.name?.isEmpty ?? true {
            guard let prefix = object[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty else {
                throw APIError.invalid(
                    kind: resource.kind, group: resource.group, name: "",
                    causes: [
                        .init(
                            reason: "FieldValueRequired", message: "Required value: name or generateName is required",
                            field: "metadata.name")
                    ])
            }
            object.name = prefix + GeneratedName.randomSuffix()
        }
        var metadata = object.metadata
        for field in [
            "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
            "generation", "selfLink",
        ] {
            metadata[field] = nil
        }
        metadata["uid"] = .string(ObjectUID.generate())
        metadata["creationTimestamp"] = .string(Timestamp.now())
        metadata["generation"] = Self.tracksGeneration(resource) ? .int(1) : nil
        object.metadata = metadata
        if resource.hasStatus && resource.schema != nil { object["status"] = nil }
        if resource.schema == nil { BuiltinDefaults.apply(&object, resource: resource, operation: .create) }
        if resource.groupResource == BuiltinResources.services.groupResource {
            try serviceAddresses?.allocate(&object)
        }
        if let schema = resource.schema {
            warnings += try validateCustomResource(
                &object, schema: schema, resource: resource,
                fieldValidation: fieldValidation)
        }
        try validateMetadata(object, resource: resource)
        if resource.groupResource == BuiltinResources.customResourceDefinitions.groupResource {
            try CRDValidation.validate(object)
            var finalizers = object.finalizers
            if !finalizers.contains(Self.finalizerCRDCleanup) { finalizers.append(Self.finalizerCRDCleanup) }
            object.finalizers = finalizers
        }
        return warnings
    }

    // MARK: Update

    /// Turns the object a client sent into the object to store, given what is stored.
    func prepareUpdate(
        _ object: inout JSONValue, old: JSONValue, resource: APIResource, subresource: String?,
        fieldValidation: RequestOptions.FieldValidation
    ) throws(APIError) -> Warnings {
        guard object.objectValue != nil else { throw APIError.badRequest("the request body must be a JSON object") }
        var warnings = try decodeBuiltin(&object, resource: resource, fieldValidation: fieldValidation)
        let name = old.name ?? ""
        if let sentName = object.name, !sentName.isEmpty, sentName != name {
            throw APIError.badRequest("the name of the object (\(sentName)) does not match the name on the URL (\(name))")
        }
        if let sent = object.resourceVersion, !sent.isEmpty, sent != old.resourceVersion {
            throw APIError.conflict(
                resource.resource, group: resource.group, name: name,
                "the object has been modified; please apply your changes to the latest version and try again")
        }
        if let sentUID = object.uid, !sentUID.isEmpty, sentUID != old.uid {
            throw APIError.conflict(
                resource.resource, group: resource.group, name: name,
                "Precondition failed: UID in precondition: \(sentUID), UID in object meta: \(old.uid ?? "")")
        }
        try checkTypeMeta(&object, resource: resource)

        if subresource == "status" {
            // Only status changes through the status subresource.
            var updated = old
            updated["status"] = object["status"]
            object = updated
        } else if resource.hasStatus {
            object["status"] = old["status"]
        }

        // Metadata the server owns.
        var metadata = object.metadata
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name"] {
            metadata[field] = old.metadata[field]
        }
        metadata["resourceVersion"] = nil
        // Absent for kinds without a generation (a stored `null` from older versions included):
        // an update that changes nothing must leave the object as it was.
        if let generation = old.metadata["generation"], generation != .null {
            metadata["generation"] = generation
        } else {
            let generation: JSONValue? = Self.tracksGeneration(resource) ? .int(1) : nil
            metadata["generation"] = generation
        }
        object.metadata = metadata

        if old.deletionTimestamp != nil {
            let added = Set(object.finalizers).subtracting(old.finalizers)
            if !added.isEmpty {
                throw APIError.invalid(
                    kind: resource.kind, group: resource.group, name: name,
                    causes: [
                        .init(
                            reason: "FieldValueForbidden",
                            message:
                                "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers \(added.sorted())",
                            field: "metadata.finalizers")
                    ])
            }
        }

        if resource.groupResource == BuiltinResources.services.groupResource, subresource == nil {
            try ServiceAddressAllocator.carryOver(from: old, to: &object)
        }
        if resource.schema == nil { BuiltinDefaults.apply(&object, resource: resource, operation: .update) }
        if let schema = resource.schema {
            warnings += try validateCustomResource(
                &object, schema: schema, resource: resource,
                fieldValidation: fieldValidation)
        }
        try validateMetadata(object, resource: resource)
        if resource.groupResource == BuiltinResources.customResourceDefinitions.groupResource, subresource == nil {
            try CRDValidation.validate(object)
        }
        if Self.tracksGeneration(resource), Self.specChanged(old, object) {
            object.generation = (old.generation ?? 1) + 1
        }
        return warnings
    }

    /// Whether kube-apiserver keeps `metadata.generation` for this resource: custom resources,
    /// and the built-in kinds whose registry strategy sets it (those a controller reports an
    /// `observedGeneration` for, and a few more). ConfigMaps, Services, Pods and the rest have none.
    static func tracksGeneration(_ resource: APIResource) -> Bool {
        if resource.schema != nil { return true }
        switch resource.group {
        case "apps", "batch", "admissionregistration.k8s.io", "flowcontrol.apiserver.k8s.io", "apiextensions.k8s.io":
            return resource.resource != "controllerrevisions"
        case "":
            return ["replicationcontrollers", "podtemplates"].contains(resource.resource)
        case "policy": return resource.resource == "poddisruptionbudgets"
        case "autoscaling": return resource.resource == "horizontalpodautoscalers"
        case "networking.k8s.io": return ["ingresses", "ingressclasses", "networkpolicies"].contains(resource.resource)
        case "discovery.k8s.io": return resource.resource == "endpointslices"
        default: return false
        }
    }

    /// Everything but metadata and status is "spec" for generation purposes.
    static func specChanged(_ old: JSONValue, _ new: JSONValue) -> Bool {
        var left = old.objectValue ?? [:]
        var right = new.objectValue ?? [:]
        for field in ["metadata", "status", "apiVersion", "kind"] {
            left[field] = nil
            right[field] = nil
        }
        return left != right
    }

    // MARK: Pieces

    private func checkTypeMeta(_ object: inout JSONValue, resource: APIResource) throws(APIError) {
        if let kind = object.kind, !kind.isEmpty, kind != resource.kind {
            throw APIError.badRequest("the kind of the object (\(kind)) does not match the resource (\(resource.kind))")
        }
        if let apiVersion = object.apiVersion, !apiVersion.isEmpty, apiVersion != resource.apiVersion {
            // Another served version of the same kind is stored as the requested one.
            let group = apiVersion.split(separator: "/").count == 2 ? String(apiVersion.split(separator: "/")[0]) : ""
            guard group == resource.group else {
                throw APIError.badRequest(
                    "the API version in the data (\(apiVersion)) does not match the expected API version (\(resource.apiVersion))")
            }
        }
        object.kind = resource.kind
        object.apiVersion = resource.apiVersion
    }

    /// What kube-apiserver's decoder does to a built-in object before anything else looks at
    /// it: a value of the wrong type is refused (400), fields the kind does not declare are
    /// dropped, at any depth, and refused, reported or ignored as `fieldValidation` says.
    /// Custom resources are pruned by their CRD's schema later; their metadata is checked here.
    private func decodeBuiltin(
        _ object: inout JSONValue, resource: APIResource,
        fieldValidation: RequestOptions.FieldValidation
    ) throws(APIError) -> Warnings {
        guard let schema = BuiltinSchemas.shared.schema(for: resource) else {
            try MetadataShape.check(object, kind: resource.kind)
            return []
        }
        let decoded: TypedDecoding
        do {
            decoded = try schema.decodeTyped(object, typeName: resource.kind)
        } catch {
            throw APIError.badRequest(Self.cannotBeHandled(resource, error.message))
        }
        object = decoded.object
        return try Self.unknownFields(decoded.unknownFields, resource: resource, fieldValidation: fieldValidation)
    }

    /// kube-apiserver's wording for a body its decoder refuses.
    static func cannotBeHandled(_ resource: APIResource, _ problem: String) -> String {
        "\(resource.kind) in version \"\(resource.version)\" cannot be handled as a \(resource.kind): \(problem)"
    }

    /// Unknown fields under `fieldValidation`: Strict refuses them (400), Warn returns them as
    /// warnings, Ignore forgets them.
    static func unknownFields(
        _ paths: [String], resource: APIResource,
        fieldValidation: RequestOptions.FieldValidation
    ) throws(APIError) -> Warnings {
        guard !paths.isEmpty else { return [] }
        let fields = paths.map { "unknown field \"\($0)\"" }
        switch fieldValidation {
        case .strict:
            throw APIError.badRequest(cannotBeHandled(resource, "strict decoding error: \(fields.joined(separator: ", "))"))
        case .warn: return fields
        case .ignore: return []
        }
    }

    private func validateCustomResource(
        _ object: inout JSONValue, schema: JSONValue, resource: APIResource,
        fieldValidation: RequestOptions.FieldValidation
    ) throws(APIError) -> Warnings {
        let openAPI = OpenAPISchema(schema)
        let (pruned, removed) = openAPI.prune(object)
        let warnings = try Self.unknownFields(removed, resource: resource, fieldValidation: fieldValidation)
        object = openAPI.applyDefaults(pruned)
        var errors = openAPI.validate(object)
        // The server owns these; a schema may not make them required.
        errors.removeAll { $0.field.hasPrefix("metadata") || $0.field == "apiVersion" || $0.field == "kind" }
        if !errors.isEmpty {
            throw APIError.invalid(
                kind: resource.kind, group: resource.group, name: object.name ?? "",
                causes: errors.map { APIError.Cause(reason: $0.type.rawValue, message: $0.message, field: $0.field) })
        }
        return warnings
    }

    private func validateMetadata(_ object: JSONValue, resource: APIResource) throws(APIError) {
        let name = object.name ?? ""
        var causes: [APIError.Cause] = []
        if resource.groupResource == BuiltinResources.customResourceDefinitions.groupResource {
            // Checked by CRDValidation: the name must be <plural>.<group>.
        } else if resource.resource == "namespaces" {
            if let problem = NameValidation.dnsLabel(name) {
                causes.append(
                    .init(
                        reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(problem)",
                        field: "metadata.name"))
            }
        } else if resource.group == "rbac.authorization.k8s.io" {
            // RBAC names are path segments (`system:aggregate-to-view` is a valid role name).
            for problem in NameValidation.pathSegment(name) {
                causes.append(
                    .init(
                        reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(problem)",
                        field: "metadata.name"))
            }
        } else if let problem = NameValidation.dnsSubdomain(name) {
            causes.append(
                .init(
                    reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(problem)",
                    field: "metadata.name"))
        }
        for (key, value) in object.labels {
            if let problem = NameValidation.labelKey(key) {
                causes.append(
                    .init(
                        reason: "FieldValueInvalid", message: "Invalid value: \"\(key)\": \(problem)",
                        field: "metadata.labels"))
            }
            if let problem = NameValidation.labelValue(value) {
                causes.append(
                    .init(
                        reason: "FieldValueInvalid", message: "Invalid value: \"\(value)\": \(problem)",
                        field: "metadata.labels"))
            }
        }
        if let labels = object[path: ["metadata", "labels"]], labels.objectValue?.values.contains(where: { $0.stringValue == nil }) ?? true
        {
            causes.append(
                .init(
                    reason: "FieldValueTypeInvalid", message: "Invalid value: labels must be strings",
                    field: "metadata.labels"))
        }
        if resource.schema == nil { causes += BuiltinValidation.validate(object, resource: resource) }
        causes += KubeVirtAdmission.validate(object, resource: resource)
        if !causes.isEmpty {
            throw APIError.invalid(kind: resource.kind, group: resource.group, name: name, causes: causes)
        }
    }
}

import KubeModel

/// `authorization.k8s.io/v1`'s reviews, answered by the same authorizer that guards every
/// request (kubectl auth can-i asks them): SelfSubjectAccessReview, SubjectAccessReview,
/// LocalSubjectAccessReview and SelfSubjectRulesReview. They are not stored.
struct AccessReviews {
    let authorizer: APIAuthorizer

    static let group = "authorization.k8s.io"
    static let resources: Set<String> = [
        "selfsubjectaccessreviews", "subjectaccessreviews", "localsubjectaccessreviews", "selfsubjectrulesreviews",
    ]

    static func kind(of resource: String) -> String {
        switch resource {
        case "selfsubjectaccessreviews": return "SelfSubjectAccessReview"
        case "subjectaccessreviews": return "SubjectAccessReview"
        case "localsubjectaccessreviews": return "LocalSubjectAccessReview"
        default: return "SelfSubjectRulesReview"
        }
    }

    /// Answers a POST of `body` to `resource` (in `namespace` for the local review) by `caller`.
    func review(_ resource: String, namespace: String?, body: [UInt8], caller: UserInfo) throws(APIError) -> JSONValue {
        let kind = Self.kind(of: resource)
        var review: JSONValue
        do { review = try JSONValue(parsing: body) } catch {
            throw APIError.badRequest("the request body is not valid JSON: \(error)")
        }
        guard review.objectValue != nil else { throw APIError.badRequest("the request body must be a \(kind) object") }
        let spec = review["spec"] ?? [:]
        switch resource {
        case "selfsubjectrulesreviews":
            let reviewNamespace = spec["namespace"]?.stringValue ?? ""
            let rules = authorizer.rules(for: caller, namespace: reviewNamespace)
            var status: JSONValue = [
                "resourceRules": .array(rules.resource.map(Self.resourceRule)),
                "nonResourceRules": .array(rules.nonResource.map(Self.nonResourceRule)),
                "incomplete": .bool(!rules.errors.isEmpty),
            ]
            if let errors = RBACAuthorizer.aggregate(rules.errors) { status["evaluationError"] = .string(errors) }
            review["status"] = status
        default:
            var user = caller
            if resource != "selfsubjectaccessreviews" {
                user = try Self.subject(of: spec, kind: kind)
            }
            let request = try Self.attributes(of: spec, user: user, kind: kind, localNamespace: namespace)
            let decision = authorizer.authorize(request)
            var status: JSONValue = ["allowed": .bool(decision.allowed)]
            if !decision.reason.isEmpty { status["reason"] = .string(decision.reason) }
            review["status"] = status
        }
        review["apiVersion"] = "authorization.k8s.io/v1"
        review["kind"] = .string(kind)
        var metadata = review["metadata"]?.objectValue ?? [:]
        metadata["creationTimestamp"] = .null
        review["metadata"] = .object(metadata)
        return review
    }

    /// `spec.user`, `spec.groups`, `spec.uid`, `spec.extra` of a SubjectAccessReview.
    private static func subject(of spec: JSONValue, kind: String) throws(APIError) -> UserInfo {
        let name = spec["user"]?.stringValue ?? ""
        let groups = spec["groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard !name.isEmpty || !groups.isEmpty else {
            throw APIError.invalid(
                kind: kind, group: group, name: "",
                causes: [
                    .init(
                        reason: "FieldValueRequired", message: "Required value: at least one of user or group must be specified",
                        field: "spec.user")
                ])
        }
        var extra: [String: [String]] = [:]
        for (key, values) in spec["extra"]?.objectValue ?? [:] {
            extra[key] = values.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return UserInfo(name: name, uid: spec["uid"]?.stringValue ?? "", groups: groups, extra: extra)
    }

    /// `spec.resourceAttributes` or `spec.nonResourceAttributes`, exactly one.
    private static func attributes(
        of spec: JSONValue, user: UserInfo, kind: String,
        localNamespace: String?
    ) throws(APIError) -> RequestAttributes {
        let resource = spec["resourceAttributes"].flatMap { $0.isNull ? nil : $0 }
        let nonResource = spec["nonResourceAttributes"].flatMap { $0.isNull ? nil : $0 }
        switch (resource, nonResource) {
        case (let attributes?, nil):
            func field(_ key: String) -> String { attributes[key]?.stringValue ?? "" }
            let namespace = field("namespace")
            if let localNamespace, namespace != localNamespace {
                throw APIError.invalid(
                    kind: kind, group: group, name: "",
                    causes: [
                        .init(
                            reason: "FieldValueInvalid",
                            message: "Invalid value: \(RequestAttributes.quoted(namespace)): must match metadata.namespace",
                            field: "spec.resourceAttributes.namespace")
                    ])
            }
            return RequestAttributes(
                user: user, verb: field("verb"), namespace: namespace, apiGroup: field("group"),
                apiVersion: field("version"), resource: field("resource"),
                subresource: field("subresource"), name: field("name"))
        case (nil, let attributes?):
            return RequestAttributes(
                user: user, verb: attributes["verb"]?.stringValue ?? "",
                path: attributes["path"]?.stringValue ?? "")
        default:
            let message =
                resource == nil
                ? "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified"
                : "Invalid value: \"{...}\": cannot be specified in combination with resourceAttributes"
            throw APIError.invalid(
                kind: kind, group: group, name: "",
                causes: [
                    .init(
                        reason: "FieldValueInvalid", message: message,
                        field: resource == nil ? "spec.resourceAttributes" : "spec.nonResourceAttributes")
                ])
        }
    }

    private static func resourceRule(_ rule: PolicyRule) -> JSONValue {
        var json: JSONValue = ["verbs": .array(rule.verbs.map { .string($0) })]
        if !rule.apiGroups.isEmpty { json["apiGroups"] = .array(rule.apiGroups.map { .string($0) }) }
        if !rule.resources.isEmpty { json["resources"] = .array(rule.resources.map { .string($0) }) }
        if !rule.resourceNames.isEmpty { json["resourceNames"] = .array(rule.resourceNames.map { .string($0) }) }
        return json
    }

    private static func nonResourceRule(_ rule: PolicyRule) -> JSONValue {
        ["verbs": .array(rule.verbs.map { .string($0) }), "nonResourceURLs": .array(rule.nonResourceURLs.map { .string($0) })]
    }
}

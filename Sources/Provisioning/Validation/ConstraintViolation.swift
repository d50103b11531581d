/// One broken rule of a cluster specification, as moxxie (Quarkus' Hibernate Validator)
/// reports it: the field path (`nodeGroups[0].count`) and what is wrong.
public struct ConstraintViolation: Codable, Hashable, Sendable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

/// The 400 body for a specification that breaks rules:
/// `{"title": "Constraint Violation", "status": 400, "violations": [{"field", "message"}]}`.
public struct ConstraintViolationResponse: Codable, Hashable, Sendable {
    public var title: String
    public var status: Int
    public var violations: [ConstraintViolation]

    public init(violations: [ConstraintViolation]) {
        self.title = "Constraint Violation"
        self.status = 400
        self.violations = violations
    }
}

/// A specification that breaks at least one rule; ``violations`` lists every one found
/// (bounded by ``ClusterSpecLimits/maximumViolations``).
public struct ClusterSpecInvalid: Error, Hashable, Sendable, CustomStringConvertible {
    public var violations: [ConstraintViolation]

    public init(violations: [ConstraintViolation]) { self.violations = violations }

    public var response: ConstraintViolationResponse { ConstraintViolationResponse(violations: violations) }

    public var description: String {
        "invalid cluster specification: " + violations.map(\.description).joined(separator: "; ")
    }
}

import Foundation
import KubeClient
import KubeModel

/// How one rule went, in cks-backend's `ValidationResult` fields, plus `runnable`: false for
/// a rule that needs the lab terminal's sandbox (it is then failed, not passed).
struct RuleResult: Sendable, Equatable {
    var ruleId: String
    var ruleType: String
    var passed: Bool
    var runnable: Bool
    var message: String
    var expected: JSONValue?
    var actual: JSONValue?
    var errorCode: String?
    var description: String?

    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "ruleId": .string(ruleId), "ruleType": .string(ruleType), "passed": .bool(passed),
            "runnable": .bool(runnable), "message": .string(message),
        ]
        if let expected { fields["expected"] = expected }
        if let actual { fields["actual"] = actual }
        if let errorCode { fields["errorCode"] = .string(errorCode) }
        if let description { fields["description"] = .string(description) }
        return .object(fields)
    }
}

extension ValidationRule {
    /// The code of a result for a rule Virtyard cannot run.
    static let notRunnableCode = "NOT_RUNNABLE"

    /// Runs the rule: a resource rule against `api` (the session's cluster); any other is
    /// answered as not runnable here.
    func run(against api: any KubernetesAPI) async -> RuleResult {
        var result = RuleResult(
            ruleId: id, ruleType: kind.rawValue, passed: false, runnable: kind.runsAgainstTheCluster, message: "",
            description: description)
        guard kind.runsAgainstTheCluster, let resource else {
            let what =
                switch kind {
                case .command: "command"
                case .script: "script"
                default: "file"
                }
            result.message =
                "\(what) checks need the lab terminal's sandbox; this one (on \(machine?.target ?? "control-plane")) "
                + "cannot run here, so it is not passed"
            result.errorCode = Self.notRunnableCode
            return result
        }
        guard let type = BuiltinKinds.resource(apiVersion: resource.apiVersion, kind: resource.kind) else {
            result.message = failure("\(resource.kind) is not a built-in kind; the rule needs resource.apiVersion")
            result.errorCode = "UNKNOWN_KIND"
            return result
        }
        let namespace = type.namespaced ? (resource.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default") : nil
        let place = namespace.map { " in namespace '\($0)'" } ?? ""
        let object: JSONValue?
        do {
            object = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.get(type, namespace: namespace, name: resource.name)
            }
        } catch {
            result.message = failure("could not read the cluster: \(error)")
            result.errorCode = "CLUSTER_ERROR"
            return result
        }
        guard let object else {
            result.message = failure("\(type.kind) '\(resource.name)' does not exist\(place)")
            result.errorCode = "RESOURCE_NOT_FOUND"
            result.expected = "Resource should exist"
            result.actual = "Resource not found"
            return result
        }
        guard kind == .resourceProperty, let property = resource.property else {
            result.passed = true
            result.message = "\(type.kind) '\(resource.name)' exists\(place)"
            return result
        }
        let found = property.values(in: object).filter { $0 != .null }
        let condition = self.condition ?? .equals
        result.expected = value
        result.actual = property.hasWildcard ? .array(found) : found.first
        result.passed = Self.holds(condition, found: found, wanted: value)
        let shown = property.hasWildcard ? "[\(found.map(Self.text).joined(separator: ", "))]" : found.first.map(Self.text) ?? "not set"
        let wanted =
            value.map { " \(condition.rawValue.replacingOccurrences(of: "_", with: " ")) \(Self.text($0))" } ?? " \(condition.rawValue)"
        if result.passed {
            result.message = "\(property.description) is \(shown)"
        } else {
            result.message = failure("\(property.description) is \(shown); wanted\(wanted)")
            result.errorCode = found.isEmpty && condition != .notExists ? "PROPERTY_NOT_FOUND" : "PROPERTY_MISMATCH"
        }
        return result
    }

    /// The rule's own words first (when it has them), then what was found.
    private func failure(_ detail: String) -> String {
        guard let errorMessage, !errorMessage.isEmpty else { return detail }
        return "\(errorMessage) (\(detail))"
    }

    /// Whether the values found satisfy the condition. Under `[*]` every value must (and
    /// there must be one); `not_exists` holds when nothing is set.
    static func holds(_ condition: Condition, found: [JSONValue], wanted: JSONValue?) -> Bool {
        switch condition {
        case .exists: return !found.isEmpty
        case .notExists: return found.isEmpty
        default:
            guard !found.isEmpty, let wanted else { return false }
            return found.allSatisfy { holds(condition, $0, wanted) }
        }
    }

    private static func holds(_ condition: Condition, _ actual: JSONValue, _ wanted: JSONValue) -> Bool {
        let wantedText = text(wanted)
        switch condition {
        case .equals, .outputEquals:
            // `runAsUser: 1000` equals "1000"; two strings compare as text ("1.20" is not "1.2").
            if actual.isNumber || wanted.isNumber, let left = number(actual), let right = number(wanted) {
                return left == right
            }
            return text(actual) == wantedText
        case .contains:
            switch actual {
            case .array(let items): return items.contains { text($0) == wantedText }
            case .object(let fields): return fields[wantedText] != nil
            default: return text(actual).contains(wantedText)
            }
        case .greaterThan, .lessThan:
            guard let left = number(actual), let right = number(wanted) else { return false }
            return condition == .greaterThan ? left > right : left < right
        case .matchesRegex:
            guard let expression = try? NSRegularExpression(pattern: wantedText) else { return false }
            let subject = text(actual)
            return expression.firstMatch(in: subject, range: NSRange(subject.startIndex..., in: subject)) != nil
        case .exists, .notExists, .success:
            return false
        }
    }

    /// A number, or a Kubernetes quantity (`512Mi`, `250m`) as one, for comparisons.
    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .string(let text):
            if let number = Double(text) { return number }
            return (try? Quantity(parsing: text))?.doubleValue
        default: return nil
        }
    }
}

extension JSONValue {
    fileprivate var isNumber: Bool {
        switch self {
        case .int, .double: true
        default: false
        }
    }
}

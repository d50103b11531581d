/// Why a Template could not be processed. The description is what the TemplateInstance's
/// `InstantiateFailure` condition says.
public enum TemplateProcessingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template is not a JSON object.
    case notAnObject(String)
    /// `objects` or `parameters` is not an array.
    case notAnArray(String, found: String)
    case tooManyObjects(count: Int, limit: Int)
    case tooManyParameters(count: Int, limit: Int)
    case templateTooLarge(limit: Int)
    case invalidParameter(index: Int, reason: String)
    case duplicateParameter(name: String)
    /// Values that could not be found: missing required ones, generators that failed. All of
    /// them at once, as OpenShift reports them.
    case parameters([ParameterProblem])
    case invalidObject(index: Int, reason: String)
    /// A substitution made a string longer than the limit, in `field` (`template.objects[2]`,
    /// `template.labels`, `template.message`).
    case substitutionTooLarge(field: String, limit: Int)

    public var description: String {
        switch self {
        case .notAnObject(let what): return "\(what) must be a JSON object"
        case .notAnArray(let what, let found): return "\(what) must be an array, not \(found)"
        case .tooManyObjects(let count, let limit): return "template has \(count) objects; at most \(limit) are accepted"
        case .tooManyParameters(let count, let limit):
            return "template has \(count) parameters; at most \(limit) are accepted"
        case .templateTooLarge(let limit): return "template is larger than \(limit) bytes"
        case .invalidParameter(let index, let reason): return "template.parameters[\(index)]: \(reason)"
        case .duplicateParameter(let name): return "template.parameters: duplicate parameter name \(name)"
        case .parameters(let problems): return problems.map(\.description).joined(separator: "\n")
        case .invalidObject(let index, let reason): return "template.objects[\(index)]: \(reason)"
        case .substitutionTooLarge(let field, let limit):
            return "\(field): parameter substitution makes a string longer than \(limit) bytes"
        }
    }
}

/// One parameter that has no value.
public enum ParameterProblem: Sendable, Equatable, CustomStringConvertible {
    case required(index: Int, name: String)
    case unknownGenerator(index: Int, name: String, generator: String)
    case generation(index: Int, name: String, ExpressionError)

    public var name: String {
        switch self {
        case .required(_, let name), .unknownGenerator(_, let name, _), .generation(_, let name, _): return name
        }
    }

    public var description: String {
        switch self {
        case .required(let index, let name):
            return "template.parameters[\(index)]: parameter \(name) is required and must be specified"
        case .unknownGenerator(let index, let name, let generator):
            return "template.parameters[\(index)]: Unknown generator name '\(generator)' for parameter \(name)"
        case .generation(let index, let name, let error):
            return "template.parameters[\(index)]: parameter \(name): \(error)"
        }
    }
}

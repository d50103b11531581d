import KubeModel

/// One entry of a Template's `parameters`, as `template.openshift.io/v1` `Parameter` has it.
public struct TemplateParameter: Sendable, Hashable {
    public var name: String
    public var value: String
    /// The generator to use when `value` is empty; `expression` is the only one OpenShift has.
    public var generate: String
    /// The generator's input, e.g. `[a-z0-9]{8}`.
    public var from: String
    public var required: Bool

    public init(name: String, value: String = "", generate: String = "", from: String = "", required: Bool = false) {
        self.name = name
        self.value = value
        self.generate = generate
        self.from = from
        self.required = required
    }

    /// OpenShift's `ParameterNameRegexp`: what `${NAME}` can refer to.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isNameByte)
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }

    /// Reads entry `index`; a field of the wrong type is an error, not a silent default.
    init(json: JSONValue, index: Int) throws(TemplateProcessingError) {
        guard let fields = json.objectValue else {
            throw .invalidParameter(index: index, reason: "must be an object, not \(json.typeName)")
        }
        func text(_ key: String) throws(TemplateProcessingError) -> String {
            guard let value = fields[key], !value.isNull else { return "" }
            guard let string = value.stringValue else {
                throw .invalidParameter(index: index, reason: "\(key) must be a string, not \(value.typeName)")
            }
            return string
        }
        name = try text("name")
        guard Self.isValidName(name) else {
            throw .invalidParameter(index: index, reason: "name \"\(name)\" must match [a-zA-Z0-9_]+")
        }
        value = try text("value")
        generate = try text("generate")
        from = try text("from")
        switch fields["required"] {
        case nil, .null?: required = false
        case .bool(let flag)?: required = flag
        case let other?: throw .invalidParameter(index: index, reason: "required must be a boolean, not \(other.typeName)")
        }
    }
}

import KubeModel

/// What processing a Template gives: the objects to create, with parameters substituted and
/// the template's labels applied.
public struct ProcessedTemplate: Sendable, Hashable {
    public var objects: [JSONValue]
    /// The template's `labels`, substituted, as applied to every object.
    public var labels: [String: String]
    /// The template's `message`, substituted.
    public var message: String?
    /// Every parameter's final value, by name.
    public var parameters: [String: String]
}

/// Turns a `template.openshift.io/v1` Template into the objects it describes, as OpenShift's
/// `templateprocessing.Processor` does: values from `parameterValues` (the TemplateInstance's
/// Secret) override the template's, empty values with `generate: expression` are generated,
/// empty required ones are an error naming the parameter; `${NAME}` / `${{NAME}}` are
/// substituted in every string of every object, in `labels` and in `message`; a literal
/// `metadata.namespace` is dropped (one built from a parameter stays); the template's
/// `labels` are added to every object's labels.
///
/// Pure: no I/O, randomness from the caller.
public struct TemplateProcessor: Sendable {
    public var limits: TemplateLimits
    public var generator: ExpressionGenerator

    public init(limits: TemplateLimits = TemplateLimits(), generator: ExpressionGenerator = ExpressionGenerator()) {
        self.limits = limits
        self.generator = generator
    }

    /// Processes `template` (a Template object, or a TemplateInstance's `spec.template`).
    /// Objects without a namespace get `namespace`.
    public func process(
        _ template: JSONValue, parameterValues: [String: String] = [:], namespace: String,
        using random: inout some RandomNumberGenerator
    ) throws(TemplateProcessingError) -> ProcessedTemplate {
        guard let fields = template.objectValue else { throw .notAnObject("template") }
        guard template.approximateSize(upTo: limits.maximumTemplateBytes + 1) <= limits.maximumTemplateBytes else {
            throw .templateTooLarge(limit: limits.maximumTemplateBytes)
        }
        let objects = try Self.array(fields["objects"], "template.objects")
        guard objects.count <= limits.maximumObjects else {
            throw .tooManyObjects(count: objects.count, limit: limits.maximumObjects)
        }
        let values = try parameterValuesResolved(
            try Self.array(fields["parameters"], "template.parameters"), overrides: parameterValues, using: &random)
        let substitution = ParameterSubstitution(values: values, maximumStringBytes: limits.maximumStringBytes)

        let message: String?
        do {
            message = try fields["message"]?.stringValue.map(substitution.substituteString)
        } catch {
            throw .substitutionTooLarge(field: "template.message", limit: limits.maximumStringBytes)
        }
        let labels: [String: String]
        do {
            labels = try Self.labels(fields["labels"], substitution)
        } catch {
            throw .substitutionTooLarge(field: "template.labels", limit: limits.maximumStringBytes)
        }

        var processed: [JSONValue] = []
        var budget = limits.maximumTemplateBytes
        for (index, object) in objects.enumerated() {
            var item = try Self.checkedObject(object, index: index)
            Self.stripLiteralNamespace(&item)
            do {
                item = try substitution.apply(to: item)
            } catch {
                throw .substitutionTooLarge(field: "template.objects[\(index)]", limit: limits.maximumStringBytes)
            }
            // Substitution may have turned apiVersion, kind or metadata into something else.
            item = try Self.checkedObject(item, index: index)
            if !labels.isEmpty { item.labels = item.labels.merging(labels) { _, template in template } }
            if (item.namespace ?? "").isEmpty { item.namespace = namespace }
            budget -= item.approximateSize(upTo: budget + 1)
            guard budget >= 0 else { throw .templateTooLarge(limit: limits.maximumTemplateBytes) }
            processed.append(item)
        }
        return ProcessedTemplate(objects: processed, labels: labels, message: message, parameters: values)
    }

    /// Every parameter's value (library-go's `GenerateParameterValues`): overrides replace the
    /// value and cancel generation; every problem is reported at once.
    func parameterValuesResolved(
        _ entries: [JSONValue], overrides: [String: String], using random: inout some RandomNumberGenerator
    ) throws(TemplateProcessingError) -> [String: String] {
        guard entries.count <= limits.maximumParameters else {
            throw .tooManyParameters(count: entries.count, limit: limits.maximumParameters)
        }
        var parameters: [TemplateParameter] = []
        var names = Set<String>()
        for (index, entry) in entries.enumerated() {
            var parameter = try TemplateParameter(json: entry, index: index)
            guard names.insert(parameter.name).inserted else { throw .duplicateParameter(name: parameter.name) }
            if let override = overrides[parameter.name] {
                parameter.value = override
                parameter.generate = ""
            }
            parameters.append(parameter)
        }
        var problems: [ParameterProblem] = []
        var values: [String: String] = [:]
        for (index, var parameter) in parameters.enumerated() {
            if parameter.value.isEmpty, !parameter.generate.isEmpty {
                guard parameter.generate == "expression" else {
                    problems.append(.unknownGenerator(index: index, name: parameter.name, generator: parameter.generate))
                    continue
                }
                do {
                    parameter.value = try generator.generate(parameter.from, using: &random)
                } catch {
                    problems.append(.generation(index: index, name: parameter.name, error))
                    continue
                }
            }
            if parameter.value.isEmpty, parameter.required {
                problems.append(.required(index: index, name: parameter.name))
            }
            values[parameter.name] = parameter.value
        }
        guard problems.isEmpty else { throw .parameters(problems) }
        return values
    }

    private static func array(_ value: JSONValue?, _ what: String) throws(TemplateProcessingError) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?: return items
        case let other?: throw .notAnArray(what, found: other.typeName)
        }
    }

    private static func labels(
        _ value: JSONValue?, _ substitution: ParameterSubstitution
    ) throws -> [String: String] {
        var labels: [String: String] = [:]
        for (key, value) in JSONValue.stringMap(value) {
            labels[try substitution.substituteString(key)] = try substitution.substituteString(value)
        }
        return labels
    }

    /// An object the API can take: a JSON object with `apiVersion`, `kind` and an object
    /// `metadata` (library-go decodes each into an Unstructured, which needs the same).
    private static func checkedObject(_ object: JSONValue, index: Int) throws(TemplateProcessingError) -> JSONValue {
        guard object.objectValue != nil else {
            throw .invalidObject(index: index, reason: "must be an object, not \(object.typeName)")
        }
        guard let apiVersion = object.apiVersion, !apiVersion.isEmpty else {
            throw .invalidObject(index: index, reason: "apiVersion is missing or not a string")
        }
        guard let kind = object.kind, !kind.isEmpty else {
            throw .invalidObject(index: index, reason: "kind is missing or not a string")
        }
        if let metadata = object["metadata"], metadata.objectValue == nil {
            throw .invalidObject(index: index, reason: "metadata must be an object, not \(metadata.typeName)")
        }
        if let labels = object[path: ["metadata", "labels"]], !labels.isNull {
            guard let fields = labels.objectValue, fields.values.allSatisfy({ $0.stringValue != nil }) else {
                throw .invalidObject(index: index, reason: "metadata.labels must be an object of strings")
            }
        }
        return object
    }

    /// library-go's `stripNamespace`: a hard-coded namespace goes (the object lands in the
    /// instance's namespace); one that refers to a parameter stays, to be substituted.
    static func stripLiteralNamespace(_ object: inout JSONValue) {
        guard let namespace = object[path: ["metadata", "namespace"]] else { return }
        if let text = namespace.stringValue, ParameterSubstitution.hasReference(text) { return }
        object[path: ["metadata", "namespace"]] = nil
    }
}

import Foundation

extension SchemaNode {
    /// A schema that accepts any value and keeps every field: what a reference that cannot be
    /// resolved (no such definition, or one that only reaches itself) stands for. Keeping
    /// fields, rather than pruning them, means a broken schema never loses data.
    static let anything = SchemaNode(.object(["x-kubernetes-preserve-unknown-fields": true]))

    /// The schema this node stands for: itself, or for a `$ref` the definition it names,
    /// looked up now (see ``SchemaDefinitions``). Never itself a reference.
    var resolved: SchemaNode {
        guard isReference else { return self }
        guard let referenceName, let definitions else { return .anything }
        return definitions.target(of: referenceName) ?? .anything
    }

    /// The default that applies where this node is used: its own, or for a reference the
    /// definition's (kube-apiserver puts `default` beside the `$ref`).
    var effectiveDefault: JSONValue? {
        if let defaultValue { return defaultValue }
        return isReference ? resolved.defaultValue : nil
    }
}

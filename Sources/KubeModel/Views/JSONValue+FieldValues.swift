/// Typed reads and writes of one field, for views: `object[string: Field.phase]` instead of
/// `object[field: Field.phase]?.stringValue` and its `newValue.map(JSONValue.string)` setter.
///
/// A value of another JSON type reads as nil (a view never guesses); setting nil removes the
/// field, without creating parents that were not there (``JSONValue/subscript(field:)``).
extension JSONValue {
    public subscript(string path: FieldPath) -> String? {
        get { self[field: path]?.stringValue }
        set { self[field: path] = newValue.map(JSONValue.string) }
    }

    public subscript(bool path: FieldPath) -> Bool? {
        get { self[field: path]?.boolValue }
        set { self[field: path] = newValue.map(JSONValue.bool) }
    }

    public subscript(int path: FieldPath) -> Int64? {
        get { self[field: path]?.intValue }
        set { self[field: path] = newValue.map(JSONValue.int) }
    }

    /// An array as stored (`status.conditions`); setting an empty array writes `[]`.
    public subscript(array path: FieldPath) -> [JSONValue]? {
        get { self[field: path]?.arrayValue }
        set { self[field: path] = newValue.map(JSONValue.array) }
    }
}

import KubeModel

/// The three moves of kube-apiserver's defaulting functions, on an object's JSON: fill a
/// field nobody set, and reach into nested objects and lists that are there.
extension JSONValue {
    /// Whether a value is at `path` (`null` counts as unset: Go decodes it as the zero value).
    func isSet(_ path: [String]) -> Bool {
        guard let value = self[path: path] else { return false }
        return !value.isNull
    }

    /// Writes `value` at `path` when nothing is set there.
    mutating func setDefault(_ path: [String], _ value: JSONValue) {
        if !isSet(path) { self[path: path] = value }
    }

    /// Runs `change` on the object at `path`, when there is one.
    mutating func updateObject(_ path: [String], _ change: (inout JSONValue) -> Void) {
        guard var child = self[path: path], child.objectValue != nil else { return }
        change(&child)
        self[path: path] = child
    }

    /// Runs `change` on each object of the list at `path`, when there is one.
    mutating func updateEach(_ path: [String], _ change: (inout JSONValue) -> Void) {
        guard let items = self[path: path]?.arrayValue else { return }
        self[path: path] = .array(
            items.map { item in
                guard item.objectValue != nil else { return item }
                var copy = item
                change(&copy)
                return copy
            })
    }
}

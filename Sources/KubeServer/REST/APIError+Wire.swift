import KubeModel

extension APIError {
    /// The `Status` object as kube-apiserver writes it: Go's `omitempty` drops an empty
    /// `details.group` (every core kind), `kind`, `name` and `causes`, and `details` itself
    /// when nothing is left. Clients compare these fields (`details.group == ""` is not
    /// what a real cluster sends for a pod).
    var wireStatus: JSONValue {
        var status = self.status
        guard var details = status["details"]?.objectValue else { return status }
        for key in ["group", "kind", "name", "uid"] where details[key]?.stringValue?.isEmpty == true {
            details[key] = nil
        }
        if details["causes"]?.arrayValue?.isEmpty == true { details["causes"] = nil }
        status["details"] = details.isEmpty ? nil : .object(details)
        return status
    }

    /// ``wireStatus``, encoded.
    var wireBytes: [UInt8] { wireStatus.serialized() }
}

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

    /// ``wireStatus`` byte for byte as kube-apiserver sends it (``StatusEncoding``): Go's
    /// field order and escaping and the encoder's closing newline. Clients print these bytes
    /// verbatim (the Python client's `FailToCreateError`), so tests written against a real
    /// cluster compare them exactly.
    var wireBytes: [UInt8] { StatusEncoding.encode(wireStatus) }
}

/// Writes a `metav1.Status` as Go's `encoding/json` does: fields in the struct's order
/// (`kind`, `apiVersion`, `metadata`, `status`, `message`, `reason`, `details`, `code`),
/// empty ones left out as `omitempty` says, strings escaped as ``GoJSON`` escapes them, and
/// the `"\n"` that `json.Encoder.Encode` appends.
enum StatusEncoding {
    static let statusFields = ["kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code"]
    static let detailsFields = ["name", "group", "kind", "uid", "causes", "retryAfterSeconds"]
    /// `StatusCause` declares `reason` (json `reason`, from `Type`), `message`, `field`.
    static let causeFields = ["reason", "message", "field"]

    static func encode(_ status: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        writeObject(status, order: statusFields, into: &output) { key, value, output in
            switch key {
            case "metadata": writeMetadata(value, into: &output)
            case "details":
                writeObject(value, order: detailsFields, into: &output) { key, value, output in
                    if key == "causes", let causes = value.arrayValue {
                        output.append(UInt8(ascii: "["))
                        for (index, cause) in causes.enumerated() {
                            if index > 0 { output.append(UInt8(ascii: ",")) }
                            writeObject(cause, order: causeFields, into: &output) { _, value, output in
                                GoJSON.write(value, into: &output)
                            }
                        }
                        output.append(UInt8(ascii: "]"))
                    } else {
                        GoJSON.write(value, into: &output)
                    }
                }
            default: GoJSON.write(value, into: &output)
            }
        }
        output.append(UInt8(ascii: "\n"))
        return output
    }

    /// `ListMeta` is a struct, so `omitempty` never drops it: `{}` when empty; its own
    /// fields (`selfLink`, `resourceVersion`, `continue`, `remainingItemCount`) in order.
    private static func writeMetadata(_ value: JSONValue, into output: inout [UInt8]) {
        writeObject(
            value, order: ["selfLink", "resourceVersion", "continue", "remainingItemCount"], into: &output
        ) { _, value, output in GoJSON.write(value, into: &output) }
    }

    /// An object's fields in `order`, skipping the empty ones; fields not in `order` after
    /// them, sorted (none in what the server writes, but nothing is lost).
    private static func writeObject(
        _ value: JSONValue, order: [String], into output: inout [UInt8],
        field: (String, JSONValue, inout [UInt8]) -> Void
    ) {
        let fields = value.objectValue ?? [:]
        let keys = order.filter { fields[$0] != nil } + fields.keys.filter { !order.contains($0) }.sorted()
        output.append(UInt8(ascii: "{"))
        var first = true
        for key in keys {
            guard let member = fields[key], !isEmpty(member) || key == "metadata" else { continue }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            GoJSON.writeString(key, into: &output)
            output.append(UInt8(ascii: ":"))
            field(key, member, &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// What `omitempty` leaves out: `""`, `0`, `false`, null, and empty lists and maps.
    static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .bool(let flag): return !flag
        case .int(let number): return number == 0
        case .double(let number): return number == 0
        case .string(let text): return text.isEmpty
        case .array(let items): return items.isEmpty
        case .object(let fields): return fields.isEmpty
        }
    }
}

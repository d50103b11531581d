/// The path and query of one API request, built the way client-go's REST client builds
/// them: `/api/v1` for the core group and `/apis/<group>/<version>` otherwise, then
/// `namespaces/<ns>/` for a namespaced resource, the plural name, the object name and a
/// subresource.
struct ResourcePath: Sendable, Equatable {
    var path: String
    var query: [(String, String)] = []

    init(_ resource: ResourceType, namespace: String?, name: String? = nil, subresource: String? = nil) {
        var path =
            resource.group.isEmpty
            ? "/api/\(Self.escape(resource.version))"
            : "/apis/\(Self.escape(resource.group))/\(Self.escape(resource.version))"
        if resource.namespaced, let namespace, !namespace.isEmpty {
            path += "/namespaces/\(Self.escape(namespace))"
        }
        path += "/\(Self.escape(resource.resource))"
        if let name { path += "/\(Self.escape(name))" }
        if let subresource, !subresource.isEmpty { path += "/\(Self.escape(subresource))" }
        self.path = path
    }

    static func == (lhs: ResourcePath, rhs: ResourcePath) -> Bool {
        lhs.path == rhs.path && lhs.query.elementsEqual(rhs.query) { $0 == $1 }
    }

    /// `path?query`, with every query value percent-encoded.
    var pathAndQuery: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(Self.escapeQuery($0.0))=\(Self.escapeQuery($0.1))" }.joined(separator: "&")
    }

    mutating func add(_ name: String, _ value: String?) {
        guard let value else { return }
        query.append((name, value))
    }

    mutating func add(list options: ListOptions, watch: Bool) {
        if watch { add("watch", "true") }
        add("labelSelector", options.labelSelector.flatMap { $0.isEmpty ? nil : $0 })
        add("fieldSelector", options.fieldSelector.flatMap { $0.isEmpty ? nil : $0 })
        if !watch {
            add("limit", options.limit.map(String.init))
            add("continue", options.continueToken.flatMap { $0.isEmpty ? nil : $0 })
        }
        add("resourceVersion", options.resourceVersion.flatMap { $0.isEmpty ? nil : $0.rawValue })
        add("timeoutSeconds", options.timeoutSeconds.map(String.init))
        if watch, options.allowWatchBookmarks { add("allowWatchBookmarks", "true") }
    }

    mutating func add(write options: WriteOptions) {
        if options.dryRun { add("dryRun", "All") }
        add("fieldManager", options.fieldManager.flatMap { $0.isEmpty ? nil : $0 })
        add("fieldValidation", options.fieldValidation.flatMap { $0.isEmpty ? nil : $0 })
    }

    mutating func add(delete options: DeleteOptions) {
        if options.dryRun { add("dryRun", "All") }
        add("propagationPolicy", options.propagationPolicy?.rawValue)
        add("gracePeriodSeconds", options.gracePeriodSeconds.map(String.init))
    }

    /// Path segments keep only RFC 3986 unreserved characters and `:@!$&'()*+,;=` unescaped.
    static func escape(_ segment: String) -> String {
        percentEncode(segment) { byte in
            isUnreserved(byte) || Array(":@!$&'()*+,;=".utf8).contains(byte)
        }
    }

    /// Query names and values keep only unreserved characters, so selectors such as
    /// `app in (a,b)` or `a!=b` arrive exactly as written.
    static func escapeQuery(_ text: String) -> String {
        percentEncode(text, keeping: isUnreserved)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func percentEncode(_ text: String, keeping keep: (UInt8) -> Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if keep(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

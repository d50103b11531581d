import Foundation
import KubeModel

/// The query parameters Kubernetes clients send, parsed once.
struct RequestOptions: Sendable {
    var labelSelector: LabelSelector?
    var fieldSelector: FieldSelector?
    var limit: Int?
    var continueToken: String?
    var resourceVersion: String?
    /// `resourceVersion` as a number (it was checked to be one, not negative).
    var requestedVersion: Int64?
    var watch = false
    /// For Table responses: `None`, `Metadata` or `Object`.
    var includeObject: String?
    var allowWatchBookmarks = false
    var timeoutSeconds: Int?
    var dryRun = false
    var fieldValidation: FieldValidation = .warn
    var propagationPolicy: String?
    var gracePeriodSeconds: Int?
    var pretty = false
    /// `fieldManager`: who makes this write (required by server-side apply).
    var fieldManager: String?
    /// `force`: nil when absent; only server-side apply takes it.
    var force: Bool?
    /// Every parameter, for the subresources that take their own (`pods/log`).
    var query: [String: String] = [:]

    enum FieldValidation: String, Sendable {
        case ignore = "Ignore"
        case warn = "Warn"
        case strict = "Strict"
    }

    /// Splits a raw query string as Go's `url.ParseQuery` does: `+` is a space, `%XX` is
    /// decoded, the first of repeated keys wins.
    static func parseQuery(_ raw: String) -> [String: String] {
        var query: [String: String] = [:]
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(parts[0])
            if query[key] == nil { query[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return query
    }

    /// Longest label or field selector taken. Far above any real one (a selector with a
    /// hundred `in` values of 63 characters is 7 KiB), low enough that parsing stays cheap.
    static let maximumSelectorLength = 16 << 10

    init(query: [String: String], resource: APIResource? = nil) throws(APIError) {
        self.query = query
        for name in ["labelSelector", "fieldSelector"] {
            if let text = query[name], text.utf8.count > Self.maximumSelectorLength {
                throw APIError.badRequest("\(name) is \(text.utf8.count) bytes long; at most \(Self.maximumSelectorLength) are accepted")
            }
        }
        if let text = query["labelSelector"], !text.isEmpty {
            do { labelSelector = try LabelSelector(parsing: text) } catch {
                throw APIError.badRequest("unable to parse requirement: \(error)")
            }
        }
        if let text = query["fieldSelector"], !text.isEmpty {
            do { fieldSelector = try FieldSelector(parsing: text) } catch {
                throw APIError.badRequest("invalid field selector: \(error)")
            }
            if let resource, let fieldSelector {
                let supported = SelectableFields.fields(for: resource)
                for requirement in fieldSelector.requirements where !supported.contains(requirement.field) {
                    throw APIError.badRequest("field label not supported: \(requirement.field)")
                }
            }
        }
        if let text = query["limit"], !text.isEmpty {
            guard let value = Int(text), value >= 0 else { throw APIError.badRequest("invalid limit \"\(text)\"") }
            limit = value == 0 ? nil : value
        }
        continueToken = query["continue"].flatMap { $0.isEmpty ? nil : $0 }
        includeObject = query["includeObject"]
        resourceVersion = query["resourceVersion"].flatMap { $0.isEmpty ? nil : $0 }
        if let resourceVersion {
            guard let version = Int64(resourceVersion), version >= 0 else {
                throw APIError.badRequest("resourceVersion: Invalid value: \"\(resourceVersion)\": invalid resource version")
            }
            requestedVersion = version
        }
        watch = Self.flag(query["watch"])
        allowWatchBookmarks = Self.flag(query["allowWatchBookmarks"])
        if let text = query["timeoutSeconds"], !text.isEmpty {
            guard let value = Int(text), value >= 0 else {
                throw APIError.badRequest("invalid timeoutSeconds \"\(text)\"")
            }
            timeoutSeconds = value
        }
        if let dryRun = query["dryRun"], !dryRun.isEmpty {
            guard dryRun == "All" else {
                throw APIError.badRequest("dryRun: Unsupported value: \"\(dryRun)\": supported values: \"All\"")
            }
            self.dryRun = true
        }
        if let text = query["fieldValidation"], !text.isEmpty {
            guard let value = FieldValidation(rawValue: text) else {
                throw APIError.badRequest(
                    "fieldValidation: Unsupported value: \"\(text)\": supported values: \"Ignore\", \"Strict\", \"Warn\"")
            }
            fieldValidation = value
        }
        propagationPolicy = query["propagationPolicy"]
        gracePeriodSeconds = query["gracePeriodSeconds"].flatMap { Int($0) }
        pretty = Self.flag(query["pretty"])
        fieldManager = query["fieldManager"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = query["force"] {
            // Go's `strconv.ParseBool`, which reads this parameter in kube-apiserver.
            switch text {
            case "1", "t", "T", "TRUE", "true", "True": force = true
            case "0", "f", "F", "FALSE", "false", "False": force = false
            default: throw APIError.badRequest("force: invalid value \"\(text)\": must be true or false")
            }
        }
    }

    private static func flag(_ value: String?) -> Bool {
        guard let value else { return false }
        return value == "1" || value == "true" || value == "True"
    }

    /// Whether an object passes the label and field selectors.
    func matches(_ object: JSONValue) -> Bool {
        if let labelSelector, !labelSelector.matches(object.labels) { return false }
        if let fieldSelector, !fieldSelector.matches(object) { return false }
        return true
    }

    var hasSelectors: Bool { labelSelector != nil || fieldSelector != nil }

    /// What the selectors read of an object: its labels and the fields named. A stored object
    /// parsed along these paths alone can be matched (``matches(stored:along:)``).
    var selectorPaths: JSONPathSet {
        var paths: [[String]] = []
        if labelSelector != nil { paths.append(["metadata", "labels"]) }
        for requirement in fieldSelector?.requirements ?? [] {
            paths.append(requirement.path)
        }
        return JSONPathSet(paths)
    }

    /// Whether a stored object passes the selectors, reading only what they name from its
    /// encoding (a list of 100,000 pods by `spec.nodeName` scans them, never builds them).
    func matches(stored: StoredObject, along paths: JSONPathSet) -> Bool {
        matches(stored.object(along: paths))
    }
}

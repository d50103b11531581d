import Foundation
import KubeClient
import KubeModel

/// The "Add an image" form: what was typed, the VMDiskImage it makes, and the errors to show
/// beside each field. The Kubernetes API validates the object against the CRD's schema; its
/// 422 names the fields (`spec.checksum`), which are mapped back to the inputs here. The few
/// checks done before asking are the ones the schema cannot make (a URL that suits its source
/// type) or that the request needs (a namespace for its path).
struct ImageForm {
    /// The inputs, in form order: form field name → the VMDiskImage field it fills.
    static let fields: [(name: String, path: String)] = [
        ("name", "metadata.name"), ("namespace", "metadata.namespace"), ("sourceType", "spec.sourceType"),
        ("url", "spec.url"), ("diskSize", "spec.diskSize"), ("checksum", "spec.checksum"),
        ("secretRef", "spec.secretRef"),
    ]
    static let sourceTypes = ["http", "s3"]
    static let maximumLength = 2048

    var values: [String: String] = [:]
    /// Form field name → the problem, in words.
    var errors: [String: String] = [:]
    /// A problem that belongs to no one field.
    var problem: String?
    /// Set after a successful create: what was added.
    var added: String?

    init(form: FormData) {
        for (name, _) in Self.fields {
            values[name] = (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// An empty form with the usual defaults.
    init() {
        values = ["namespace": "default", "sourceType": "http"]
    }

    subscript(_ name: String) -> String { values[name] ?? "" }

    /// The checks the API cannot make; true when the object may be sent.
    mutating func checkBeforeSending() -> Bool {
        for (name, _) in Self.fields where self[name].utf8.count > Self.maximumLength {
            errors[name] = "At most \(Self.maximumLength) characters."
        }
        if self["namespace"].isEmpty {
            errors["namespace"] = "Name the namespace the image goes in."
        } else if !Self.isDNSLabel(self["namespace"]) {
            errors["namespace"] = "A namespace name is lowercase letters, digits and '-' (at most 63)."
        }
        let type = self["sourceType"]
        if !Self.sourceTypes.contains(type) {
            errors["sourceType"] = "Choose http or s3."
        }
        let url = self["url"].lowercased()
        if url.isEmpty {
            errors["url"] = "Give the URL the image is downloaded from."
        } else if type == "http", !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            errors["url"] = "An http source is an http:// or https:// URL."
        } else if type == "s3", !(url.hasPrefix("s3://") || url.hasPrefix("http://") || url.hasPrefix("https://")) {
            errors["url"] = "An s3 source is an s3://bucket/key URL or an S3 endpoint's http(s) URL."
        }
        return errors.isEmpty
    }

    static func isDNSLabel(_ text: String) -> Bool {
        guard (1...63).contains(text.utf8.count), let first = text.utf8.first, let last = text.utf8.last else { return false }
        let allowed = text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        return allowed && first != 45 && last != 45
    }

    /// The VMDiskImage to create; optional fields left empty are left out (the API checks the
    /// rest, including an empty name or size).
    var object: JSONValue {
        var spec: [String: JSONValue] = ["sourceType": .string(self["sourceType"]), "diskSize": .string(self["diskSize"])]
        for key in ["url", "checksum", "secretRef"] where !self[key].isEmpty {
            spec[key] = .string(self[key])
        }
        return [
            "apiVersion": .string(VMDiskImage.apiVersion), "kind": .string(VMDiskImage.kind),
            "metadata": ["name": .string(self["name"]), "namespace": .string(self["namespace"])],
            "spec": .object(spec),
        ]
    }

    /// Puts the API's refusal beside the fields it names: a 422's causes by field, a missing
    /// namespace on the namespace, a name taken on the name; anything else as the form's problem.
    mutating func take(_ error: KubeClientError) {
        let causes = error.status?["details"]?["causes"]?.arrayValue ?? []
        for cause in causes {
            let field = cause["field"]?.stringValue ?? ""
            let message = cause["message"]?.stringValue ?? error.message
            if let input = Self.fields.first(where: { $0.path == field })?.name {
                errors[input] = errors[input].map { "\($0) \(message)" } ?? message
            } else {
                problem = [problem, field.isEmpty ? message : "\(field): \(message)"].compactMap { $0 }.joined(separator: " ")
            }
        }
        if !causes.isEmpty { return }
        if error.isNotFound, error.status?["details"]?["kind"]?.stringValue == "namespaces" {
            errors["namespace"] = "There is no namespace \(self["namespace"]); create it first, or choose another."
        } else if error.isAlreadyExists {
            errors["name"] = "An image named \(self["name"]) already exists in \(self["namespace"])."
        } else if error.code == 400 || error.code == 422 {
            problem = error.message
        } else {
            problem = "The cluster refused the image: \(error.message)"
        }
    }

    var hasErrors: Bool { !errors.isEmpty || problem != nil }

    /// The template's model: one entry per text input, plus the source type choices.
    func model(csrf: String?) -> [String: Any] {
        let labels: [String: (label: String, hint: String?)] = [
            "name": ("Name", "Lowercase letters, digits, '-' and '.'."),
            "namespace": ("Namespace", nil),
            "url": ("Source URL", "http(s)://host/path/disk.img, or s3://bucket/key for s3."),
            "diskSize": ("Disk size", "A Kubernetes quantity, such as 10Gi."),
            "checksum": ("Checksum (optional)", "sha256: followed by 64 hex digits; checked once the data is complete."),
            "secretRef": ("Credentials Secret (optional, s3)", "A Secret in the same namespace with accessKeyId and secretKey."),
        ]
        func input(_ name: String) -> [String: Any] {
            var entry: [String: Any] = ["name": name, "id": "image-\(name)", "label": labels[name]?.label ?? name, "value": self[name]]
            var described: [String] = []
            if let hint = labels[name]?.hint {
                entry["hint"] = hint
                described.append("image-\(name)-hint")
            }
            if let error = errors[name] {
                entry["error"] = error
                described.append("image-\(name)-error")
            }
            if !described.isEmpty { entry["describedBy"] = described.joined(separator: " ") }
            if ["name", "namespace", "url", "diskSize"].contains(name) { entry["required"] = true }
            return entry
        }
        var model: [String: Any] = [
            "leadInputs": ["name", "namespace"].map(input),
            "sourceInputs": ["url", "diskSize", "checksum", "secretRef"].map(input),
            "sourceTypes": Self.sourceTypes.map { ["value": $0, "selected": $0 == self["sourceType"]] as [String: Any] },
        ]
        if let error = errors["sourceType"] { model["sourceTypeError"] = error }
        if let problem { model["formProblem"] = problem }
        if let added { model["added"] = added }
        if let csrf { model["csrf"] = csrf }
        return model
    }
}

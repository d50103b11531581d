import Foundation

/// The API versions Virtyard speaks, and the choice of one from a request's `Accept` header
/// (`application/*+xml;version=36.0`), as Cloud Director negotiates them.
public enum APIVersions {
    /// Oldest first, as `/api/versions` lists them.
    public static let supported = ["33.0", "34.0", "35.0", "36.0", "37.0", "37.1", "37.2"]
    public static let newest = supported[supported.count - 1]

    public struct Unsupported: Error, Equatable, CustomStringConvertible {
        public var requested: [String]
        public var description: String {
            "API version \(requested.joined(separator: ", ")) is not supported; supported versions: "
                + APIVersions.supported.joined(separator: ", ")
        }
    }

    /// The version a request asks for: the first supported `version=` parameter of its
    /// `Accept` header; the newest when it names none; ``Unsupported`` when it names only
    /// versions Virtyard does not speak.
    public static func negotiate(accept: String?) throws(Unsupported) -> String {
        guard let accept else { return newest }
        var requested: [String] = []
        for mediaRange in accept.split(separator: ",") {
            for parameter in mediaRange.split(separator: ";").dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "version" else { continue }
                let value = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                // Bounded: the value is echoed in the error message.
                requested.append(String(value.prefix(32)))
            }
        }
        if requested.isEmpty { return newest }
        if let match = requested.first(where: { supported.contains($0) }) { return match }
        throw Unsupported(requested: requested)
    }

    /// The `/api/versions` document: each version with the login URL the old clients used.
    public static func document(base: String) -> XMLNode {
        XMLNode(
            "SupportedVersions",
            [("xmlns", MediaType.versionsNamespace), ("xmlns:ns2", MediaType.vcloudNamespace)],
            children: supported.map { version in
                XMLNode(
                    "VersionInfo", [("deprecated", "false")],
                    children: [
                        XMLNode("Version", text: version),
                        XMLNode("LoginUrl", text: base + "/api/sessions"),
                    ])
            })
    }
}

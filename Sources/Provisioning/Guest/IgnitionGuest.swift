import Foundation
import KubeModel

/// OKD's Ignition configs: the bootstrap machine's full config, or the pointer configs of
/// masters and workers that merge their config from the machine config server.
enum IgnitionGuest {
    static let name = "Ignition"

    static func read(_ document: JSONValue) throws(GuestBootError) -> GuestBootConfiguration {
        let version = document[path: ["ignition", "version"]]?.stringValue ?? ""
        guard version.hasPrefix("3."), version.split(separator: ".").count == 3 else {
            throw .invalid(distribution: name, reason: "ignition.version \"\(version)\" is not a 3.x spec version")
        }
        var files: [String: String] = [:]
        for file in document[path: ["storage", "files"]]?.arrayValue ?? [] {
            guard let path = file["path"]?.stringValue else {
                throw .invalid(distribution: name, reason: "storage.files entries need a path")
            }
            if let source = file[path: ["contents", "source"]]?.stringValue {
                guard let content = dataURL(source) else {
                    throw .invalid(distribution: name, reason: "\(path): only data: URLs are read here (\(GuestBootError.cut(source)))")
                }
                files[path] = content
            }
        }
        guard let release = files["/etc/virtyard/okd-release"],
            let okdVersion = ShellWords.assignment("OKD_VERSION", in: release.replacingOccurrences(of: "\n", with: " ")),
            case .success = ClusterVersion.parse(okdVersion, for: .okd)
        else { throw .invalid(distribution: "OKD", reason: "no OKD release is pinned (/etc/virtyard/okd-release OKD_VERSION)") }
        let hostname = files["/etc/hostname"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        let merges = document[path: ["ignition", "config", "merge"]]?.arrayValue ?? []
        if merges.isEmpty {
            guard let ca = files["/opt/openshift/tls/virtyard-ca.crt"], files["/opt/openshift/tls/virtyard-ca.key"] != nil,
                CertificatePin.publicKeyHash(ofPEM: ca) != nil
            else {
                throw .invalid(
                    distribution: "OKD",
                    reason: "neither a bootstrap config (the cluster CA and key) nor a pointer config (ignition.config.merge)")
            }
            var boot = GuestBootConfiguration(
                distribution: .okd, role: .bootstrap, initialises: true, nodeName: hostname, version: okdVersion, token: nil)
            boot.certificateAuthorityPEM = ca
            return boot
        }
        guard merges.count == 1, let source = merges[0]["source"]?.stringValue, let endpoint = GuestBootConfiguration.Endpoint(source)
        else { throw .invalid(distribution: "OKD", reason: "a pointer config merges exactly one https source") }
        let role: GuestBootConfiguration.Role
        if source.hasSuffix("/config/master") {
            role = .controlPlane
        } else if source.hasSuffix("/config/worker") {
            role = .worker
        } else {
            throw .invalid(
                distribution: "OKD",
                reason: "the machine config server serves /config/master and /config/worker, not \(GuestBootError.cut(source))")
        }
        let authorities = document[path: ["ignition", "security", "tls", "certificateAuthorities"]]?.arrayValue ?? []
        guard let caSource = authorities.first?["source"]?.stringValue, let ca = dataURL(caSource),
            CertificatePin.publicKeyHash(ofPEM: ca) != nil
        else {
            throw .invalid(
                distribution: "OKD",
                reason: "ignition.security.tls.certificateAuthorities trusts no CA: the machine config server cannot be verified")
        }
        var boot = GuestBootConfiguration(
            distribution: .okd, role: role, initialises: false, nodeName: hostname, version: okdVersion, token: nil)
        boot.endpoint = endpoint
        boot.certificateAuthorityPEM = ca
        return boot
    }

    /// An RFC 2397 data URL's content (base64 or percent-encoded).
    static func dataURL(_ source: String) -> String? {
        guard source.hasPrefix("data:"), let comma = source.firstIndex(of: ",") else { return nil }
        let header = source[source.index(source.startIndex, offsetBy: 5)..<comma]
        let payload = String(source[source.index(after: comma)...])
        if header.hasSuffix(";base64") {
            return Data(base64Encoded: payload).map { String(decoding: $0, as: UTF8.self) }
        }
        return payload.removingPercentEncoding
    }
}

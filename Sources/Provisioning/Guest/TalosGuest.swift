import Foundation
import KubeModel

/// A Talos `v1alpha1` machine config as machined reads it.
enum TalosGuest {
    static let name = "Talos"

    static func read(_ document: JSONValue) throws(GuestBootError) -> GuestBootConfiguration {
        guard let machine = document["machine"], machine.objectValue != nil, let cluster = document["cluster"], cluster.objectValue != nil
        else { throw .invalid(distribution: name, reason: "a machine config needs machine and cluster") }
        let type = machine["type"]?.stringValue ?? ""
        guard ["controlplane", "init", "worker"].contains(type) else {
            throw .invalid(distribution: name, reason: "machine.type \"\(type)\" is not controlplane or worker")
        }
        let controlPlane = type != "worker"
        guard let token = cluster["token"]?.stringValue, ClusterSecrets.isBootstrapToken(token) else {
            throw .invalid(distribution: name, reason: "cluster.token is not of the form \"[a-z0-9]{6}.[a-z0-9]{16}\"")
        }
        guard let machineToken = machine["token"]?.stringValue, !machineToken.isEmpty else {
            throw .invalid(distribution: name, reason: "machine.token is required")
        }
        guard let endpointText = cluster[path: ["controlPlane", "endpoint"]]?.stringValue,
            let endpoint = GuestBootConfiguration.Endpoint(endpointText)
        else { throw .invalid(distribution: name, reason: "cluster.controlPlane.endpoint is required") }
        guard let caText = cluster[path: ["ca", "crt"]]?.stringValue, let ca = decodeBase64(caText),
            CertificatePin.publicKeyHash(ofPEM: ca) != nil
        else { throw .invalid(distribution: name, reason: "cluster.ca.crt is not a base64 PEM certificate") }
        let holdsKey = cluster[path: ["ca", "key"]]?.stringValue.map { !$0.isEmpty } ?? false
        if controlPlane, !holdsKey {
            throw .invalid(distribution: name, reason: "a control plane needs cluster.ca.key")
        }
        // The kubelet image's tag is the Kubernetes version Talos runs.
        let image = machine[path: ["kubelet", "image"]]?.stringValue ?? ""
        guard let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") else {
            throw .invalid(distribution: name, reason: "machine.kubelet.image is not pinned to a version")
        }
        let version = String(image[image.index(after: colon)...])
        guard case .success = ClusterVersion.parse(version, for: .talos) else {
            throw .invalid(distribution: name, reason: "machine.kubelet.image tag \(version) is not a Kubernetes version")
        }
        var boot = GuestBootConfiguration(
            distribution: .talos, role: controlPlane ? .controlPlane : .worker, initialises: controlPlane,
            nodeName: machine[path: ["network", "hostname"]]?.stringValue, version: version, token: token)
        boot.machineToken = machineToken
        // Every node dials the endpoint (a control plane joins etcd through it, unless it
        // is the one bootstrapped).
        boot.endpoint = endpoint
        boot.certificateAuthorityPEM = ca
        if controlPlane {
            // Talos adds the endpoint's host to the API server's certificate itself.
            boot.certificateSANs =
                (cluster[path: ["apiServer", "certSANs"]]?.stringList ?? []) + (machine["certSANs"]?.stringList ?? [])
                + [endpoint.host]
        }
        for (key, value) in machine["nodeLabels"]?.objectValue ?? [:] { boot.labels[key] = value.scalarText ?? "" }
        for (key, value) in (machine["nodeTaints"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let text = value.stringValue ?? ""
            boot.taints.append(try parseTaint("\(key)=\(text)", distribution: name))
        }
        return boot
    }

    static func decodeBase64(_ text: String) -> String? {
        Data(base64Encoded: text, options: .ignoreUnknownCharacters).map { String(decoding: $0, as: UTF8.self) }
    }
}

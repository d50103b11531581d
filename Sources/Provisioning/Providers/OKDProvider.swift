import Foundation
import KubeModel

/// OKD clusters: Ignition 3.2 configs, read by Fedora CoreOS / CentOS Stream CoreOS from the
/// config drive.
///
/// - The BOOTSTRAP node gets a full config: its host name, the cluster CA (certificate and
///   key) under `/opt/openshift/tls/`, the release pinned in `/etc/virtyard/okd-release`
///   (`quay.io/okd/scos-release:<version>`), and `virtyard-bootstrap.service`, which pulls
///   that release image.
/// - Control-plane and worker nodes get pointer configs, as `openshift-install` writes
///   them: `ignition.config.merge` from `https://<endpoint>:22623/config/master` (resp.
///   `/config/worker`), trusting the cluster CA, plus their host name and the release pin.
///
/// What this does not do: generate the installer's manifests and `bootkube` assets
/// (`openshift-install create ignition-configs`), so on real machines the bootstrap node
/// does not yet serve the machine configs the pointer configs ask for (docs/provisioning.md).
public struct OKDProvider: ClusterPlatformProvider {
    public var type: ClusterType { .okd }
    public var supportedRoles: [NodeRole] { [.bootstrap, .controlPlane, .worker, .infra, .bastion] }

    /// The machine config server's port on the bootstrap node (and later the control plane).
    public static let machineConfigServerPort = 22623

    public init() {}

    public func render(_ node: PlannedNode, in context: ClusterRenderContext) throws(RenderError) -> NodeBootConfiguration {
        if node.role == .bastion { return try GenericProvider().render(node, in: context) }
        let releaseImage = "quay.io/okd/scos-release:\(context.version)"
        var files: [JSONValue] = [
            Self.file("/etc/hostname", node.vmName + "\n", mode: 0o644),
            Self.file("/etc/virtyard/okd-release", "OKD_VERSION=\(context.version)\nRELEASE_IMAGE=\(releaseImage)\n", mode: 0o644),
            Self.file("/etc/virtyard/node.env", NodeIdentity.file(node, context: context).content, mode: 0o644),
        ]
        let caSource = Self.dataURL(context.secrets.certificateAuthority.certificatePEM)
        var ignition: [String: JSONValue] = ["version": "3.2.0"]
        var document: [String: JSONValue] = [:]
        if node.role == .bootstrap {
            let authority = context.secrets.certificateAuthority
            files.append(Self.file("/opt/openshift/tls/virtyard-ca.crt", authority.certificatePEM, mode: 0o644))
            files.append(Self.file("/opt/openshift/tls/virtyard-ca.key", authority.privateKeyPEM, mode: 0o600))
            document["systemd"] = .object([
                "units": .array([
                    .object([
                        "name": "virtyard-bootstrap.service",
                        "enabled": .bool(true),
                        "contents": .string(bootstrapUnit(releaseImage: releaseImage)),
                    ])
                ])
            ])
        } else {
            let pool = node.role == .controlPlane ? "master" : "worker"
            ignition["config"] = .object([
                "merge": .array([
                    .object(["source": .string("https://\(context.endpoint):\(Self.machineConfigServerPort)/config/\(pool)")])
                ])
            ])
            ignition["security"] = .object([
                "tls": .object(["certificateAuthorities": .array([.object(["source": .string(caSource)])])])
            ])
        }
        document["ignition"] = .object(ignition)
        document["storage"] = .object(["files": .array(files)])
        return NodeBootConfiguration(format: .ignition, text: JSONValue.object(document).serializedString())
    }

    func bootstrapUnit(releaseImage: String) -> String {
        """
        [Unit]
        Description=Virtyard OKD bootstrap: pull the pinned release \(releaseImage)
        Wants=network-online.target
        After=network-online.target

        [Service]
        Type=oneshot
        RemainAfterExit=true
        EnvironmentFile=/etc/virtyard/okd-release
        ExecStart=/usr/bin/podman pull ${RELEASE_IMAGE}

        [Install]
        WantedBy=multi-user.target

        """
    }

    static func file(_ path: String, _ content: String, mode: Int) -> JSONValue {
        .object([
            "path": .string(path),
            "mode": .int(Int64(mode)),
            "overwrite": .bool(true),
            "contents": .object(["source": .string(dataURL(content))]),
        ])
    }

    /// An RFC 2397 data URL, base64: what Ignition fetches file contents from.
    static func dataURL(_ content: String) -> String {
        "data:text/plain;charset=utf-8;base64," + Data(content.utf8).base64EncodedString()
    }
}

/// GENERIC clusters: virtual machines only. Each node gets a minimal cloud-config (its host
/// name and `/etc/virtyard/node.env`); nothing is installed. Other providers use it for
/// BASTION nodes, which are not cluster members.
public struct GenericProvider: ClusterPlatformProvider {
    public var type: ClusterType { .generic }
    public var supportedRoles: [NodeRole] { NodeRole.known }

    public init() {}

    public func render(_ node: PlannedNode, in context: ClusterRenderContext) throws(RenderError) -> NodeBootConfiguration {
        NodeBootConfiguration(format: .cloudConfig, text: Self.cloudConfig(node, context: context).rendered())
    }

    static func cloudConfig(_ node: PlannedNode, context: ClusterRenderContext) -> CloudConfig {
        CloudConfig(hostname: node.vmName, files: [NodeIdentity.file(node, context: context)])
    }
}

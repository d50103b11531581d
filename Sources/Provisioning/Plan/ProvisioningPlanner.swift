import Foundation
import KubeModel

/// Computes a cluster's ``ProvisioningPlan`` from its validated specification and secrets.
public enum ProvisioningPlanner {
    /// The default API endpoint: the Service the controller puts in front of the control
    /// plane's launcher pods, `<name>-api.<namespace>.svc`.
    public static func defaultEndpoint(cluster: String, namespace: String) -> String {
        "\(cluster)-api.\(namespace).svc"
    }

    /// - Parameters:
    ///   - secrets: made once per cluster (``ClusterSecrets/generate(clusterName:type:now:random:)``)
    ///     and read back from its Secrets afterwards, so a re-plan renders the same tokens.
    ///   - owner: the ClusterDefinition, when there is one (none in a dry run).
    ///   - random, now: for the admin client certificate.
    public static func plan(
        _ cluster: ValidatedClusterSpec, namespace: String, endpoint: String? = nil, secrets: ClusterSecrets,
        owner: PlanOwner? = nil, now: Date, random: inout some RandomNumberGenerator
    ) throws(PlanError) -> ProvisioningPlan {
        let endpoint = endpoint ?? defaultEndpoint(cluster: cluster.name, namespace: namespace)
        let context = ClusterRenderContext(cluster: cluster, endpoint: endpoint, secrets: secrets)
        let provider = ClusterPlatformProviders.provider(for: cluster.type)
        let kubeconfig: String
        do {
            kubeconfig = try AdminKubeconfig.render(
                clusterName: cluster.name, endpoint: endpoint, authority: secrets.certificateAuthority, now: now, random: &random)
        } catch {
            throw .certificate(error.description)
        }
        let objects = PlanObjects(cluster: cluster, namespace: namespace, owner: owner)
        var nodes: [ProvisioningPlan.Node] = []
        for node in cluster.nodes {
            let configuration: NodeBootConfiguration
            do {
                configuration = try provider.render(node, in: context)
            } catch {
                throw .render(error)
            }
            nodes.append(
                ProvisioningPlan.Node(
                    name: node.vmName, group: node.group.name, role: node.role, bootConfiguration: configuration,
                    virtualMachine: objects.virtualMachine(node, format: configuration.format),
                    userDataSecret: objects.userDataSecret(node, configuration: configuration)))
        }
        return ProvisioningPlan(
            clusterName: cluster.name, namespace: namespace, endpoint: endpoint,
            clusterSecrets: [
                objects.caSecret(secrets.certificateAuthority),
                objects.bootstrapSecret(secrets),
                objects.kubeconfigSecret(kubeconfig),
            ],
            nodes: nodes, serviceStartOrder: cluster.services.map(\.name), kubeconfig: kubeconfig)
    }
}

/// Declarative cluster provisioning on KubeVirt (issue 15, docs/provisioning.md).
///
/// This module is the pure core: the cluster specification (``ClusterSpec``) and its rules
/// (``ClusterSpecValidation``), the order of supporting services (``ServiceStartupOrder``),
/// the cluster PKI (``ClusterSecrets``, ``ClusterCertificateAuthority``,
/// ``AdminKubeconfig``), one ``ClusterPlatformProvider`` per distribution rendering each
/// node's boot configuration, and the ``ProvisioningPlan`` of objects to write. No I/O.
public enum Provisioning {}

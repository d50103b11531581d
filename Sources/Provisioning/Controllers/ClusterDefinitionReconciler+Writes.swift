import Foundation
import KubeClient
import KubeModel

/// The reconciler's writes: idempotent creates, deletes that tolerate a missing object, and the
/// cluster Secrets made once (node removal, with its drain, is `+Drain`).
extension ClusterDefinitionReconciler {
    // MARK: - Writing

    /// The stored object of `object`'s name, created from `object` when there is none.
    func createOrGet(_ resource: ResourceType, _ object: JSONValue) async throws -> JSONValue {
        let existing = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(resource, namespace: object.namespace, name: object.name ?? "")
        }
        if let existing { return existing }
        let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(resource, namespace: object.namespace, object: object)
        }
        if let created { return created }
        return try await api.get(resource, namespace: object.namespace, name: object.name ?? "")
    }

    func createUnlessPresent(_ resource: ResourceType, _ object: JSONValue) async throws {
        _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(resource, namespace: object.namespace, object: object)
        }
    }

    /// Creates the Secret `secret` of `cluster`, or puts its `data` back over the stored one (a
    /// node's user data is always its plan's when its VM is created). A stored Secret of that
    /// name the provisioner did not make is left alone: ``ForeignSecret``.
    func upsertOwnedSecret(_ secret: JSONValue, cluster: String) async throws {
        let namespace = secret.namespace
        let name = secret.name ?? ""
        let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.secrets, namespace: namespace, object: secret)
        }
        guard created == nil else { return }
        let stored = try await api.get(.secrets, namespace: namespace, name: name)
        guard Self.isOwned(stored, cluster: cluster) else { throw ForeignSecret(name: name) }
        _ = try await api.patch(.secrets, namespace: namespace, name: name, patch: ["data": secret["data"] ?? [:]])
    }

    /// Deletes Secret `name` when it is `cluster`'s (labelled `managed-by` and `cluster`); a
    /// foreign Secret that happens to carry the name stays.
    func deleteOwnedSecret(namespace: String, name: String, cluster: String) async throws {
        let stored = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(.secrets, namespace: namespace, name: name)
        }
        guard let stored, Self.isOwned(stored, cluster: cluster) else { return }
        try await deleteIfPresent(.secrets, namespace: namespace, name: name)
    }

    /// Whether the provisioner made `object` for `cluster`: both labels, whatever else it carries.
    static func isOwned(_ object: JSONValue, cluster: String) -> Bool {
        object.labels[ProvisioningLabels.managedBy] == ProvisioningLabels.managedByValue
            && object.labels[ProvisioningLabels.cluster] == cluster
    }

    func deleteIfPresent(_ resource: ResourceType, namespace: String, name: String) async throws {
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.delete(resource, namespace: namespace, name: name)
        }
    }

    /// The cluster's CA and join secrets: made once, then always read back from `<name>-ca`
    /// and `<name>-bootstrap` so every pass renders the same configurations. The CA is never
    /// made again while `<name>-ca` is readable (nodes and kubeconfigs trust it): a missing or
    /// unreadable `<name>-bootstrap` gets new join data signed by nothing new. Only Secrets the
    /// provisioner made are ever replaced; a foreign one of either name is ``ForeignSecret``.
    func clusterSecrets(
        _ cluster: ClusterDefinitionObject, _ spec: ValidatedClusterSpec, owner: PlanOwner
    ) async throws -> ClusterSecrets {
        let namespace = cluster.namespace
        let storedCA = try await ownedSecret(namespace: namespace, name: "\(spec.name)-ca", cluster: spec.name)
        let storedBootstrap = try await ownedSecret(namespace: namespace, name: "\(spec.name)-bootstrap", cluster: spec.name)
        let caData = storedCA.map(Self.stringData)
        if let caData, let bootstrap = storedBootstrap.map(Self.stringData),
            let existing = try? ClusterSecrets(caSecretData: caData, bootstrapSecretData: bootstrap)
        {
            return existing
        }
        var random = SystemRandomNumberGenerator()
        var made = try ClusterSecrets.generate(clusterName: spec.name, type: spec.type, now: Date(), random: &random)
        let objects = PlanObjects(cluster: spec, namespace: namespace, owner: owner)
        if let caData, let certificate = caData["tls.crt"], let key = caData["tls.key"],
            let authority = try? ClusterCertificateAuthority(certificatePEM: certificate, privateKeyPEM: key)
        {
            logger.warning(
                "cluster join data missing or unreadable; making new join data under the existing CA",
                metadata: ["cluster": "\(namespace)/\(spec.name)"])
            made.certificateAuthority = authority
        } else {
            if storedCA != nil {
                logger.warning("cluster CA unreadable; making a new one", metadata: ["cluster": "\(namespace)/\(spec.name)"])
            }
            try await write(objects.caSecret(made.certificateAuthority), replacing: storedCA)
        }
        try await write(objects.bootstrapSecret(made), replacing: storedBootstrap)
        return made
    }

    /// Secret `name` when it exists; ``ForeignSecret`` when the provisioner did not make it.
    private func ownedSecret(namespace: String, name: String, cluster: String) async throws -> JSONValue? {
        let stored = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(.secrets, namespace: namespace, name: name)
        }
        if let stored, !Self.isOwned(stored, cluster: cluster) { throw ForeignSecret(name: name) }
        return stored
    }

    /// Creates `secret`, or replaces `stored` (the provisioner's, read this pass) with it. The
    /// stored resourceVersion guards against a concurrent writer: a conflict retries the pass.
    private func write(_ secret: JSONValue, replacing stored: JSONValue?) async throws {
        guard let stored else {
            _ = try await api.create(.secrets, namespace: secret.namespace, object: secret)
            return
        }
        var replacement = secret
        replacement.resourceVersion = stored.resourceVersion
        _ = try await api.update(.secrets, namespace: secret.namespace, object: replacement)
    }

    static func stringData(_ secret: JSONValue) -> [String: String] {
        Secret(secret).data.compactMapValues { String(data: $0, encoding: .utf8) }
    }
}

/// A Secret the provisioner would write exists and is not its own (it lacks
/// `managed-by=provisioning` and `cluster=<name>`): nothing is overwritten, the operation fails.
struct ForeignSecret: Error, CustomStringConvertible {
    var name: String

    var description: String { "Secret \(name) exists and was not made by the provisioner" }
}

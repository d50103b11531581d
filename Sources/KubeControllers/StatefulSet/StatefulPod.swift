import ControllerKit
import KubeModel

/// The pod and claims of one ordinal of a StatefulSet, as `newStatefulSetPod` and
/// `getPersistentVolumeClaims` make them: the pod named `<set>-<ordinal>` with that name as
/// its hostname and the set's `serviceName` as its subdomain (so it resolves as
/// `<pod>.<service>`), labelled with its name, ordinal and revision; one claim per
/// `volumeClaimTemplates` entry named `<template>-<set>-<ordinal>`, mounted in place of the
/// template's volume of that name.
enum StatefulPod {
    static func name(of set: StatefulSet, ordinal: Int) -> String { "\(set.name)-\(ordinal)" }

    static func pod(
        of set: StatefulSet, ordinal: Int, template: JSONValue, revision: String, owner: OwnerReference
    ) -> JSONValue {
        let name = name(of: set, ordinal: ordinal)
        var pod = Pod.fromTemplate(
            template, generateName: "", namespace: set.namespace, owner: owner,
            extraLabels: [
                StatefulSet.podNameLabel: name, StatefulSet.podIndexLabel: String(ordinal),
                ControllerRevisions.hashLabel: revision,
            ])
        pod[path: ["metadata", "generateName"]] = nil
        pod[path: ["metadata", "name"]] = .string(name)
        pod[path: ["spec", "hostname"]] = .string(name)
        if let service = set.serviceName, !service.isEmpty { pod[path: ["spec", "subdomain"]] = .string(service) }
        var volumes = pod[path: ["spec", "volumes"]]?.arrayValue ?? []
        for claim in set.volumeClaimTemplates {
            guard let volume = claim.name else { continue }
            let entry: JSONValue = [
                "name": .string(volume), "persistentVolumeClaim": ["claimName": .string("\(volume)-\(name)")],
            ]
            if let index = volumes.firstIndex(where: { $0["name"]?.stringValue == volume }) {
                volumes[index] = entry
            } else {
                volumes.append(entry)
            }
        }
        if !volumes.isEmpty { pod[path: ["spec", "volumes"]] = .array(volumes) }
        return pod
    }

    /// The claims of one ordinal. With `whenDeleted: Delete` the set owns them (not as
    /// controller), so the garbage collector removes them with it; otherwise they outlive it.
    static func claims(of set: StatefulSet, ordinal: Int, setOwner: OwnerReference) -> [JSONValue] {
        let podName = name(of: set, ordinal: ordinal)
        let selectorLabels = set.selector["matchLabels"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
        return set.volumeClaimTemplates.compactMap { template in
            guard let volume = template.name else { return nil }
            var claim: JSONValue = [
                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": ["name": .string("\(volume)-\(podName)"), "namespace": .string(set.namespace)],
                "spec": template["spec"] ?? [:],
            ]
            claim.labels = template.labels.merging(selectorLabels) { _, selector in selector }
            if !template.annotations.isEmpty { claim.annotations = template.annotations }
            if set.deletesClaimsWithSet {
                var reference = setOwner
                reference.controller = nil
                claim.ownerReferences = [reference]
            }
            return claim
        }
    }
}

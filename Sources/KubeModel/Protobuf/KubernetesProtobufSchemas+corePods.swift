extension KubernetesProtobufSchemas {
    /// Pods, pod templates and ReplicationControllers: PodSpec and everything it reaches (containers, volumes, affinity, probes …), from `k8s.io/api/core/v1` at kubernetes/api v0.32.0 (Kubernetes 1.32): field numbers and
    /// types from its `generated.proto`, JSON names and presence from `types.go` (pointer
    /// fields and fields without `omitempty` keep their zero values; an empty JSON name is a
    /// struct embedded with `json:",inline"`). Written by a script from those two files, not
    /// by hand; regenerate rather than edit when a Kubernetes version adds fields.
    static let corePodTemplates: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "core.PodTemplateSpec",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("core.PodSpec")),
            ]),
        ProtobufMessageSchema(
            "core.PodSpec",
            [
                field(1, "volumes", .repeated(.message("core.Volume"))),
                field(20, "initContainers", .repeated(.message("core.Container"))),
                field(2, "containers", .repeated(.message("core.Container"))),
                field(34, "ephemeralContainers", .repeated(.message("core.EphemeralContainer"))),
                field(3, "restartPolicy", .string),
                field(4, "terminationGracePeriodSeconds", .int64, .keepZero),
                field(5, "activeDeadlineSeconds", .int64, .keepZero),
                field(6, "dnsPolicy", .string),
                field(7, "nodeSelector", .map(.string)),
                field(8, "serviceAccountName", .string),
                field(9, "serviceAccount", .string),
                field(21, "automountServiceAccountToken", .bool, .keepZero),
                field(10, "nodeName", .string),
                field(11, "hostNetwork", .bool),
                field(12, "hostPID", .bool),
                field(13, "hostIPC", .bool),
                field(27, "shareProcessNamespace", .bool, .keepZero),
                field(14, "securityContext", .message("core.PodSecurityContext")),
                field(15, "imagePullSecrets", .repeated(.message("core.LocalObjectReference"))),
                field(16, "hostname", .string),
                field(17, "subdomain", .string),
                field(18, "affinity", .message("core.Affinity")),
                field(19, "schedulerName", .string),
                field(22, "tolerations", .repeated(.message("core.Toleration"))),
                field(23, "hostAliases", .repeated(.message("core.HostAlias"))),
                field(24, "priorityClassName", .string),
                field(25, "priority", .int32, .keepZero),
                field(26, "dnsConfig", .message("core.PodDNSConfig")),
                field(28, "readinessGates", .repeated(.message("core.PodReadinessGate"))),
                field(29, "runtimeClassName", .string, .keepZero),
                field(30, "enableServiceLinks", .bool, .keepZero),
                field(31, "preemptionPolicy", .string, .keepZero),
                field(32, "overhead", .map(.quantity)),
                field(33, "topologySpreadConstraints", .repeated(.message("core.TopologySpreadConstraint"))),
                field(35, "setHostnameAsFQDN", .bool, .keepZero),
                field(36, "os", .message("core.PodOS")),
                field(37, "hostUsers", .bool, .keepZero),
                field(38, "schedulingGates", .repeated(.message("core.PodSchedulingGate"))),
                field(39, "resourceClaims", .repeated(.message("core.PodResourceClaim"))),
                field(40, "resources", .message("core.ResourceRequirements")),
            ]),
        ProtobufMessageSchema(
            "core.Volume",
            [
                field(1, "name", .string, .keepZero),
                field(2, "", .message("core.VolumeSource")),
            ]),
        ProtobufMessageSchema(
            "core.VolumeSource",
            [
                field(1, "hostPath", .message("core.HostPathVolumeSource")),
                field(2, "emptyDir", .message("core.EmptyDirVolumeSource")),
                field(3, "gcePersistentDisk", .message("core.GCEPersistentDiskVolumeSource")),
                field(4, "awsElasticBlockStore", .message("core.AWSElasticBlockStoreVolumeSource")),
                field(5, "gitRepo", .message("core.GitRepoVolumeSource")),
                field(6, "secret", .message("core.SecretVolumeSource")),
                field(7, "nfs", .message("core.NFSVolumeSource")),
                field(8, "iscsi", .message("core.ISCSIVolumeSource")),
                field(9, "glusterfs", .message("core.GlusterfsVolumeSource")),
                field(10, "persistentVolumeClaim", .message("core.PersistentVolumeClaimVolumeSource")),
                field(11, "rbd", .message("core.RBDVolumeSource")),
                field(12, "flexVolume", .message("core.FlexVolumeSource")),
                field(13, "cinder", .message("core.CinderVolumeSource")),
                field(14, "cephfs", .message("core.CephFSVolumeSource")),
                field(15, "flocker", .message("core.FlockerVolumeSource")),
                field(16, "downwardAPI", .message("core.DownwardAPIVolumeSource")),
                field(17, "fc", .message("core.FCVolumeSource")),
                field(18, "azureFile", .message("core.AzureFileVolumeSource")),
                field(19, "configMap", .message("core.ConfigMapVolumeSource")),
                field(20, "vsphereVolume", .message("core.VsphereVirtualDiskVolumeSource")),
                field(21, "quobyte", .message("core.QuobyteVolumeSource")),
                field(22, "azureDisk", .message("core.AzureDiskVolumeSource")),
                field(23, "photonPersistentDisk", .message("core.PhotonPersistentDiskVolumeSource")),
                field(26, "projected", .message("core.ProjectedVolumeSource")),
                field(24, "portworxVolume", .message("core.PortworxVolumeSource")),
                field(25, "scaleIO", .message("core.ScaleIOVolumeSource")),
                field(27, "storageos", .message("core.StorageOSVolumeSource")),
                field(28, "csi", .message("core.CSIVolumeSource")),
                field(29, "ephemeral", .message("core.EphemeralVolumeSource")),
                field(30, "image", .message("core.ImageVolumeSource")),
            ]),
        ProtobufMessageSchema(
            "core.HostPathVolumeSource",
            [
                field(1, "path", .string, .keepZero),
                field(2, "type", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.EmptyDirVolumeSource",
            [
                field(1, "medium", .string),
                field(2, "sizeLimit", .quantity),
            ]),
        ProtobufMessageSchema(
            "core.GCEPersistentDiskVolumeSource",
            [
                field(1, "pdName", .string, .keepZero),
                field(2, "fsType", .string),
                field(3, "partition", .int32),
                field(4, "readOnly", .bool),
            ]),
        ProtobufMessageSchema(
            "core.AWSElasticBlockStoreVolumeSource",
            [
                field(1, "volumeID", .string, .keepZero),
                field(2, "fsType", .string),
                field(3, "partition", .int32),
                field(4, "readOnly", .bool),
            ]),
        ProtobufMessageSchema(
            "core.GitRepoVolumeSource",
            [
                field(1, "repository", .string, .keepZero),
                field(2, "revision", .string),
                field(3, "directory", .string),
            ]),
        ProtobufMessageSchema(
            "core.SecretVolumeSource",
            [
                field(1, "secretName", .string),
                field(2, "items", .repeated(.message("core.KeyToPath"))),
                field(3, "defaultMode", .int32, .keepZero),
                field(4, "optional", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.KeyToPath",
            [
                field(1, "key", .string, .keepZero),
                field(2, "path", .string, .keepZero),
                field(3, "mode", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.NFSVolumeSource",
            [
                field(1, "server", .string, .keepZero),
                field(2, "path", .string, .keepZero),
                field(3, "readOnly", .bool),
            ]),
        ProtobufMessageSchema(
            "core.ISCSIVolumeSource",
            [
                field(1, "targetPortal", .string, .keepZero),
                field(2, "iqn", .string, .keepZero),
                field(3, "lun", .int32, .keepZero),
                field(4, "iscsiInterface", .string),
                field(5, "fsType", .string),
                field(6, "readOnly", .bool),
                field(7, "portals", .repeated(.string)),
                field(8, "chapAuthDiscovery", .bool),
                field(11, "chapAuthSession", .bool),
                field(10, "secretRef", .message("core.LocalObjectReference")),
                field(12, "initiatorName", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.GlusterfsVolumeSource",
            [
                field(1, "endpoints", .string, .keepZero),
                field(2, "path", .string, .keepZero),
                field(3, "readOnly", .bool),
            ]),
        ProtobufMessageSchema(
            "core.PersistentVolumeClaimVolumeSource",
            [
                field(1, "claimName", .string, .keepZero),
                field(2, "readOnly", .bool),
            ]),
        ProtobufMessageSchema(
            "core.RBDVolumeSource",
            [
                field(1, "monitors", .repeated(.string)),
                field(2, "image", .string, .keepZero),
                field(3, "fsType", .string),
                field(4, "pool", .string),
                field(5, "user", .string),
                field(6, "keyring", .string),
                field(7, "secretRef", .message("core.LocalObjectReference")),
                field(8, "readOnly", .bool),
            ]),
        ProtobufMessageSchema(
            "core.FlexVolumeSource",
            [
                field(1, "driver", .string, .keepZero),
                field(2, "fsType", .string),
                field(3, "secretRef", .message("core.LocalObjectReference")),
                field(4, "readOnly", .bool),
                field(5, "options", .map(.string)),
            ]),
        ProtobufMessageSchema(
            "core.CinderVolumeSource",
            [
                field(1, "volumeID", .string, .keepZero),
                field(2, "fsType", .string),
                field(3, "readOnly", .bool),
                field(4, "secretRef", .message("core.LocalObjectReference")),
            ]),
        ProtobufMessageSchema(
            "core.CephFSVolumeSource",
            [
                field(1, "monitors", .repeated(.string)),
                field(2, "path", .string),
                field(3, "user", .string),
                field(4, "secretFile", .string),
                field(5, "secretRef", .message("core.LocalObjectReference")),
                field(6, "readOnly", .bool),
            ]),
        ProtobufMessageSchema(
            "core.FlockerVolumeSource",
            [
                field(1, "datasetName", .string),
                field(2, "datasetUUID", .string),
            ]),
        ProtobufMessageSchema(
            "core.DownwardAPIVolumeSource",
            [
                field(1, "items", .repeated(.message("core.DownwardAPIVolumeFile"))),
                field(2, "defaultMode", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.DownwardAPIVolumeFile",
            [
                field(1, "path", .string, .keepZero),
                field(2, "fieldRef", .message("core.ObjectFieldSelector")),
                field(3, "resourceFieldRef", .message("core.ResourceFieldSelector")),
                field(4, "mode", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.ObjectFieldSelector",
            [
                field(1, "apiVersion", .string),
                field(2, "fieldPath", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.ResourceFieldSelector",
            [
                field(1, "containerName", .string),
                field(2, "resource", .string, .keepZero),
                field(3, "divisor", .quantity),
            ]),
        ProtobufMessageSchema(
            "core.FCVolumeSource",
            [
                field(1, "targetWWNs", .repeated(.string)),
                field(2, "lun", .int32, .keepZero),
                field(3, "fsType", .string),
                field(4, "readOnly", .bool),
                field(5, "wwids", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "core.AzureFileVolumeSource",
            [
                field(1, "secretName", .string, .keepZero),
                field(2, "shareName", .string, .keepZero),
                field(3, "readOnly", .bool),
            ]),
        ProtobufMessageSchema(
            "core.ConfigMapVolumeSource",
            [
                field(1, "", .message("core.LocalObjectReference")),
                field(2, "items", .repeated(.message("core.KeyToPath"))),
                field(3, "defaultMode", .int32, .keepZero),
                field(4, "optional", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.VsphereVirtualDiskVolumeSource",
            [
                field(1, "volumePath", .string, .keepZero),
                field(2, "fsType", .string),
                field(3, "storagePolicyName", .string),
                field(4, "storagePolicyID", .string),
            ]),
        ProtobufMessageSchema(
            "core.QuobyteVolumeSource",
            [
                field(1, "registry", .string, .keepZero),
                field(2, "volume", .string, .keepZero),
                field(3, "readOnly", .bool),
                field(4, "user", .string),
                field(5, "group", .string),
                field(6, "tenant", .string),
            ]),
        ProtobufMessageSchema(
            "core.AzureDiskVolumeSource",
            [
                field(1, "diskName", .string, .keepZero),
                field(2, "diskURI", .string, .keepZero),
                field(3, "cachingMode", .string, .keepZero),
                field(4, "fsType", .string, .keepZero),
                field(5, "readOnly", .bool, .keepZero),
                field(6, "kind", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.PhotonPersistentDiskVolumeSource",
            [
                field(1, "pdID", .string, .keepZero),
                field(2, "fsType", .string),
            ]),
        ProtobufMessageSchema(
            "core.ProjectedVolumeSource",
            [
                field(1, "sources", .repeated(.message("core.VolumeProjection"))),
                field(2, "defaultMode", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.VolumeProjection",
            [
                field(1, "secret", .message("core.SecretProjection")),
                field(2, "downwardAPI", .message("core.DownwardAPIProjection")),
                field(3, "configMap", .message("core.ConfigMapProjection")),
                field(4, "serviceAccountToken", .message("core.ServiceAccountTokenProjection")),
                field(5, "clusterTrustBundle", .message("core.ClusterTrustBundleProjection")),
            ]),
        ProtobufMessageSchema(
            "core.SecretProjection",
            [
                field(1, "", .message("core.LocalObjectReference")),
                field(2, "items", .repeated(.message("core.KeyToPath"))),
                field(4, "optional", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.DownwardAPIProjection",
            [
                field(1, "items", .repeated(.message("core.DownwardAPIVolumeFile")))
            ]),
        ProtobufMessageSchema(
            "core.ConfigMapProjection",
            [
                field(1, "", .message("core.LocalObjectReference")),
                field(2, "items", .repeated(.message("core.KeyToPath"))),
                field(4, "optional", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.ServiceAccountTokenProjection",
            [
                field(1, "audience", .string),
                field(2, "expirationSeconds", .int64, .keepZero),
                field(3, "path", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.ClusterTrustBundleProjection",
            [
                field(1, "name", .string, .keepZero),
                field(2, "signerName", .string, .keepZero),
                field(3, "labelSelector", .message("meta.LabelSelector")),
                field(5, "optional", .bool, .keepZero),
                field(4, "path", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.PortworxVolumeSource",
            [
                field(1, "volumeID", .string, .keepZero),
                field(2, "fsType", .string),
                field(3, "readOnly", .bool),
            ]),
        ProtobufMessageSchema(
            "core.ScaleIOVolumeSource",
            [
                field(1, "gateway", .string, .keepZero),
                field(2, "system", .string, .keepZero),
                field(3, "secretRef", .message("core.LocalObjectReference")),
                field(4, "sslEnabled", .bool),
                field(5, "protectionDomain", .string),
                field(6, "storagePool", .string),
                field(7, "storageMode", .string),
                field(8, "volumeName", .string),
                field(9, "fsType", .string),
                field(10, "readOnly", .bool),
            ]),
        ProtobufMessageSchema(
            "core.StorageOSVolumeSource",
            [
                field(1, "volumeName", .string),
                field(2, "volumeNamespace", .string),
                field(3, "fsType", .string),
                field(4, "readOnly", .bool),
                field(5, "secretRef", .message("core.LocalObjectReference")),
            ]),
        ProtobufMessageSchema(
            "core.CSIVolumeSource",
            [
                field(1, "driver", .string, .keepZero),
                field(2, "readOnly", .bool, .keepZero),
                field(3, "fsType", .string, .keepZero),
                field(4, "volumeAttributes", .map(.string)),
                field(5, "nodePublishSecretRef", .message("core.LocalObjectReference")),
            ]),
        ProtobufMessageSchema(
            "core.EphemeralVolumeSource",
            [
                field(1, "volumeClaimTemplate", .message("core.PersistentVolumeClaimTemplate"))
            ]),
        ProtobufMessageSchema(
            "core.PersistentVolumeClaimTemplate",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("core.PersistentVolumeClaimSpec")),
            ]),
        ProtobufMessageSchema(
            "core.PersistentVolumeClaimSpec",
            [
                field(1, "accessModes", .repeated(.string)),
                field(4, "selector", .message("meta.LabelSelector")),
                field(2, "resources", .message("core.VolumeResourceRequirements")),
                field(3, "volumeName", .string),
                field(5, "storageClassName", .string, .keepZero),
                field(6, "volumeMode", .string, .keepZero),
                field(7, "dataSource", .message("core.TypedLocalObjectReference")),
                field(8, "dataSourceRef", .message("core.TypedObjectReference")),
                field(9, "volumeAttributesClassName", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.VolumeResourceRequirements",
            [
                field(1, "limits", .map(.quantity)),
                field(2, "requests", .map(.quantity)),
            ]),
        ProtobufMessageSchema(
            "core.TypedLocalObjectReference",
            [
                field(1, "apiGroup", .string, .keepZero),
                field(2, "kind", .string, .keepZero),
                field(3, "name", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.TypedObjectReference",
            [
                field(1, "apiGroup", .string, .keepZero),
                field(2, "kind", .string, .keepZero),
                field(3, "name", .string, .keepZero),
                field(4, "namespace", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.ImageVolumeSource",
            [
                field(1, "reference", .string),
                field(2, "pullPolicy", .string),
            ]),
        ProtobufMessageSchema(
            "core.Container",
            [
                field(1, "name", .string, .keepZero),
                field(2, "image", .string),
                field(3, "command", .repeated(.string)),
                field(4, "args", .repeated(.string)),
                field(5, "workingDir", .string),
                field(6, "ports", .repeated(.message("core.ContainerPort"))),
                field(19, "envFrom", .repeated(.message("core.EnvFromSource"))),
                field(7, "env", .repeated(.message("core.EnvVar"))),
                field(8, "resources", .message("core.ResourceRequirements")),
                field(23, "resizePolicy", .repeated(.message("core.ContainerResizePolicy"))),
                field(24, "restartPolicy", .string, .keepZero),
                field(9, "volumeMounts", .repeated(.message("core.VolumeMount"))),
                field(21, "volumeDevices", .repeated(.message("core.VolumeDevice"))),
                field(10, "livenessProbe", .message("core.Probe")),
                field(11, "readinessProbe", .message("core.Probe")),
                field(22, "startupProbe", .message("core.Probe")),
                field(12, "lifecycle", .message("core.Lifecycle")),
                field(13, "terminationMessagePath", .string),
                field(20, "terminationMessagePolicy", .string),
                field(14, "imagePullPolicy", .string),
                field(15, "securityContext", .message("core.SecurityContext")),
                field(16, "stdin", .bool),
                field(17, "stdinOnce", .bool),
                field(18, "tty", .bool),
            ]),
        ProtobufMessageSchema(
            "core.ContainerPort",
            [
                field(1, "name", .string),
                field(2, "hostPort", .int32),
                field(3, "containerPort", .int32, .keepZero),
                field(4, "protocol", .string),
                field(5, "hostIP", .string),
            ]),
        ProtobufMessageSchema(
            "core.EnvFromSource",
            [
                field(1, "prefix", .string),
                field(2, "configMapRef", .message("core.ConfigMapEnvSource")),
                field(3, "secretRef", .message("core.SecretEnvSource")),
            ]),
        ProtobufMessageSchema(
            "core.ConfigMapEnvSource",
            [
                field(1, "", .message("core.LocalObjectReference")),
                field(2, "optional", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.SecretEnvSource",
            [
                field(1, "", .message("core.LocalObjectReference")),
                field(2, "optional", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.EnvVar",
            [
                field(1, "name", .string, .keepZero),
                field(2, "value", .string),
                field(3, "valueFrom", .message("core.EnvVarSource")),
            ]),
        ProtobufMessageSchema(
            "core.EnvVarSource",
            [
                field(1, "fieldRef", .message("core.ObjectFieldSelector")),
                field(2, "resourceFieldRef", .message("core.ResourceFieldSelector")),
                field(3, "configMapKeyRef", .message("core.ConfigMapKeySelector")),
                field(4, "secretKeyRef", .message("core.SecretKeySelector")),
            ]),
        ProtobufMessageSchema(
            "core.ConfigMapKeySelector",
            [
                field(1, "", .message("core.LocalObjectReference")),
                field(2, "key", .string, .keepZero),
                field(3, "optional", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.SecretKeySelector",
            [
                field(1, "", .message("core.LocalObjectReference")),
                field(2, "key", .string, .keepZero),
                field(3, "optional", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.ResourceRequirements",
            [
                field(1, "limits", .map(.quantity)),
                field(2, "requests", .map(.quantity)),
                field(3, "claims", .repeated(.message("core.ResourceClaim"))),
            ]),
        ProtobufMessageSchema(
            "core.ResourceClaim",
            [
                field(1, "name", .string, .keepZero),
                field(2, "request", .string),
            ]),
        ProtobufMessageSchema(
            "core.ContainerResizePolicy",
            [
                field(1, "resourceName", .string, .keepZero),
                field(2, "restartPolicy", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.VolumeMount",
            [
                field(1, "name", .string, .keepZero),
                field(2, "readOnly", .bool),
                field(7, "recursiveReadOnly", .string, .keepZero),
                field(3, "mountPath", .string, .keepZero),
                field(4, "subPath", .string),
                field(5, "mountPropagation", .string, .keepZero),
                field(6, "subPathExpr", .string),
            ]),
        ProtobufMessageSchema(
            "core.VolumeDevice",
            [
                field(1, "name", .string, .keepZero),
                field(2, "devicePath", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.Probe",
            [
                field(1, "", .message("core.ProbeHandler")),
                field(2, "initialDelaySeconds", .int32),
                field(3, "timeoutSeconds", .int32),
                field(4, "periodSeconds", .int32),
                field(5, "successThreshold", .int32),
                field(6, "failureThreshold", .int32),
                field(7, "terminationGracePeriodSeconds", .int64, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.ProbeHandler",
            [
                field(1, "exec", .message("core.ExecAction")),
                field(2, "httpGet", .message("core.HTTPGetAction")),
                field(3, "tcpSocket", .message("core.TCPSocketAction")),
                field(4, "grpc", .message("core.GRPCAction")),
            ]),
        ProtobufMessageSchema(
            "core.ExecAction",
            [
                field(1, "command", .repeated(.string))
            ]),
        ProtobufMessageSchema(
            "core.HTTPGetAction",
            [
                field(1, "path", .string),
                field(2, "port", .intOrString),
                field(3, "host", .string),
                field(4, "scheme", .string),
                field(5, "httpHeaders", .repeated(.message("core.HTTPHeader"))),
            ]),
        ProtobufMessageSchema(
            "core.HTTPHeader",
            [
                field(1, "name", .string, .keepZero),
                field(2, "value", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.TCPSocketAction",
            [
                field(1, "port", .intOrString),
                field(2, "host", .string),
            ]),
        ProtobufMessageSchema(
            "core.GRPCAction",
            [
                field(1, "port", .int32, .keepZero),
                field(2, "service", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.Lifecycle",
            [
                field(1, "postStart", .message("core.LifecycleHandler")),
                field(2, "preStop", .message("core.LifecycleHandler")),
            ]),
        ProtobufMessageSchema(
            "core.LifecycleHandler",
            [
                field(1, "exec", .message("core.ExecAction")),
                field(2, "httpGet", .message("core.HTTPGetAction")),
                field(3, "tcpSocket", .message("core.TCPSocketAction")),
                field(4, "sleep", .message("core.SleepAction")),
            ]),
        ProtobufMessageSchema(
            "core.SleepAction",
            [
                field(1, "seconds", .int64, .keepZero)
            ]),
        ProtobufMessageSchema(
            "core.SecurityContext",
            [
                field(1, "capabilities", .message("core.Capabilities")),
                field(2, "privileged", .bool, .keepZero),
                field(3, "seLinuxOptions", .message("core.SELinuxOptions")),
                field(10, "windowsOptions", .message("core.WindowsSecurityContextOptions")),
                field(4, "runAsUser", .int64, .keepZero),
                field(8, "runAsGroup", .int64, .keepZero),
                field(5, "runAsNonRoot", .bool, .keepZero),
                field(6, "readOnlyRootFilesystem", .bool, .keepZero),
                field(7, "allowPrivilegeEscalation", .bool, .keepZero),
                field(9, "procMount", .string, .keepZero),
                field(11, "seccompProfile", .message("core.SeccompProfile")),
                field(12, "appArmorProfile", .message("core.AppArmorProfile")),
            ]),
        ProtobufMessageSchema(
            "core.Capabilities",
            [
                field(1, "add", .repeated(.string)),
                field(2, "drop", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "core.SELinuxOptions",
            [
                field(1, "user", .string),
                field(2, "role", .string),
                field(3, "type", .string),
                field(4, "level", .string),
            ]),
        ProtobufMessageSchema(
            "core.WindowsSecurityContextOptions",
            [
                field(1, "gmsaCredentialSpecName", .string, .keepZero),
                field(2, "gmsaCredentialSpec", .string, .keepZero),
                field(3, "runAsUserName", .string, .keepZero),
                field(4, "hostProcess", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.SeccompProfile",
            [
                field(1, "type", .string, .keepZero),
                field(2, "localhostProfile", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.AppArmorProfile",
            [
                field(1, "type", .string, .keepZero),
                field(2, "localhostProfile", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.EphemeralContainer",
            [
                field(1, "", .message("core.EphemeralContainerCommon")),
                field(2, "targetContainerName", .string),
            ]),
        ProtobufMessageSchema(
            "core.EphemeralContainerCommon",
            [
                field(1, "name", .string, .keepZero),
                field(2, "image", .string),
                field(3, "command", .repeated(.string)),
                field(4, "args", .repeated(.string)),
                field(5, "workingDir", .string),
                field(6, "ports", .repeated(.message("core.ContainerPort"))),
                field(19, "envFrom", .repeated(.message("core.EnvFromSource"))),
                field(7, "env", .repeated(.message("core.EnvVar"))),
                field(8, "resources", .message("core.ResourceRequirements")),
                field(23, "resizePolicy", .repeated(.message("core.ContainerResizePolicy"))),
                field(24, "restartPolicy", .string, .keepZero),
                field(9, "volumeMounts", .repeated(.message("core.VolumeMount"))),
                field(21, "volumeDevices", .repeated(.message("core.VolumeDevice"))),
                field(10, "livenessProbe", .message("core.Probe")),
                field(11, "readinessProbe", .message("core.Probe")),
                field(22, "startupProbe", .message("core.Probe")),
                field(12, "lifecycle", .message("core.Lifecycle")),
                field(13, "terminationMessagePath", .string),
                field(20, "terminationMessagePolicy", .string),
                field(14, "imagePullPolicy", .string),
                field(15, "securityContext", .message("core.SecurityContext")),
                field(16, "stdin", .bool),
                field(17, "stdinOnce", .bool),
                field(18, "tty", .bool),
            ]),
        ProtobufMessageSchema(
            "core.PodSecurityContext",
            [
                field(1, "seLinuxOptions", .message("core.SELinuxOptions")),
                field(8, "windowsOptions", .message("core.WindowsSecurityContextOptions")),
                field(2, "runAsUser", .int64, .keepZero),
                field(6, "runAsGroup", .int64, .keepZero),
                field(3, "runAsNonRoot", .bool, .keepZero),
                field(4, "supplementalGroups", .repeated(.int64)),
                field(12, "supplementalGroupsPolicy", .string, .keepZero),
                field(5, "fsGroup", .int64, .keepZero),
                field(7, "sysctls", .repeated(.message("core.Sysctl"))),
                field(9, "fsGroupChangePolicy", .string, .keepZero),
                field(10, "seccompProfile", .message("core.SeccompProfile")),
                field(11, "appArmorProfile", .message("core.AppArmorProfile")),
                field(13, "seLinuxChangePolicy", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.Sysctl",
            [
                field(1, "name", .string, .keepZero),
                field(2, "value", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.Affinity",
            [
                field(1, "nodeAffinity", .message("core.NodeAffinity")),
                field(2, "podAffinity", .message("core.PodAffinity")),
                field(3, "podAntiAffinity", .message("core.PodAntiAffinity")),
            ]),
        ProtobufMessageSchema(
            "core.NodeAffinity",
            [
                field(1, "requiredDuringSchedulingIgnoredDuringExecution", .message("core.NodeSelector")),
                field(2, "preferredDuringSchedulingIgnoredDuringExecution", .repeated(.message("core.PreferredSchedulingTerm"))),
            ]),
        ProtobufMessageSchema(
            "core.NodeSelector",
            [
                field(1, "nodeSelectorTerms", .repeated(.message("core.NodeSelectorTerm")))
            ]),
        ProtobufMessageSchema(
            "core.NodeSelectorTerm",
            [
                field(1, "matchExpressions", .repeated(.message("core.NodeSelectorRequirement"))),
                field(2, "matchFields", .repeated(.message("core.NodeSelectorRequirement"))),
            ]),
        ProtobufMessageSchema(
            "core.NodeSelectorRequirement",
            [
                field(1, "key", .string, .keepZero),
                field(2, "operator", .string, .keepZero),
                field(3, "values", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "core.PreferredSchedulingTerm",
            [
                field(1, "weight", .int32, .keepZero),
                field(2, "preference", .message("core.NodeSelectorTerm")),
            ]),
        ProtobufMessageSchema(
            "core.PodAffinity",
            [
                field(1, "requiredDuringSchedulingIgnoredDuringExecution", .repeated(.message("core.PodAffinityTerm"))),
                field(2, "preferredDuringSchedulingIgnoredDuringExecution", .repeated(.message("core.WeightedPodAffinityTerm"))),
            ]),
        ProtobufMessageSchema(
            "core.PodAffinityTerm",
            [
                field(1, "labelSelector", .message("meta.LabelSelector")),
                field(2, "namespaces", .repeated(.string)),
                field(3, "topologyKey", .string, .keepZero),
                field(4, "namespaceSelector", .message("meta.LabelSelector")),
                field(5, "matchLabelKeys", .repeated(.string)),
                field(6, "mismatchLabelKeys", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "core.WeightedPodAffinityTerm",
            [
                field(1, "weight", .int32, .keepZero),
                field(2, "podAffinityTerm", .message("core.PodAffinityTerm")),
            ]),
        ProtobufMessageSchema(
            "core.PodAntiAffinity",
            [
                field(1, "requiredDuringSchedulingIgnoredDuringExecution", .repeated(.message("core.PodAffinityTerm"))),
                field(2, "preferredDuringSchedulingIgnoredDuringExecution", .repeated(.message("core.WeightedPodAffinityTerm"))),
            ]),
        ProtobufMessageSchema(
            "core.Toleration",
            [
                field(1, "key", .string),
                field(2, "operator", .string),
                field(3, "value", .string),
                field(4, "effect", .string),
                field(5, "tolerationSeconds", .int64, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.HostAlias",
            [
                field(1, "ip", .string, .keepZero),
                field(2, "hostnames", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "core.PodDNSConfig",
            [
                field(1, "nameservers", .repeated(.string)),
                field(2, "searches", .repeated(.string)),
                field(3, "options", .repeated(.message("core.PodDNSConfigOption"))),
            ]),
        ProtobufMessageSchema(
            "core.PodDNSConfigOption",
            [
                field(1, "name", .string),
                field(2, "value", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.PodReadinessGate",
            [
                field(1, "conditionType", .string, .keepZero)
            ]),
        ProtobufMessageSchema(
            "core.TopologySpreadConstraint",
            [
                field(1, "maxSkew", .int32, .keepZero),
                field(2, "topologyKey", .string, .keepZero),
                field(3, "whenUnsatisfiable", .string, .keepZero),
                field(4, "labelSelector", .message("meta.LabelSelector")),
                field(5, "minDomains", .int32, .keepZero),
                field(6, "nodeAffinityPolicy", .string, .keepZero),
                field(7, "nodeTaintsPolicy", .string, .keepZero),
                field(8, "matchLabelKeys", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "core.PodOS",
            [
                field(1, "name", .string, .keepZero)
            ]),
        ProtobufMessageSchema(
            "core.PodSchedulingGate",
            [
                field(1, "name", .string, .keepZero)
            ]),
        ProtobufMessageSchema(
            "core.PodResourceClaim",
            [
                field(1, "name", .string, .keepZero),
                field(3, "resourceClaimName", .string, .keepZero),
                field(4, "resourceClaimTemplateName", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.PersistentVolumeClaim",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("core.PersistentVolumeClaimSpec")),
                field(3, "status", .message("core.PersistentVolumeClaimStatus")),
            ]),
        ProtobufMessageSchema(
            "core.PersistentVolumeClaimStatus",
            [
                field(1, "phase", .string),
                field(2, "accessModes", .repeated(.string)),
                field(3, "capacity", .map(.quantity)),
                field(4, "conditions", .repeated(.message("core.PersistentVolumeClaimCondition"))),
                field(5, "allocatedResources", .map(.quantity)),
                field(7, "allocatedResourceStatuses", .map(.string)),
                field(8, "currentVolumeAttributesClassName", .string, .keepZero),
                field(9, "modifyVolumeStatus", .message("core.ModifyVolumeStatus")),
            ]),
        ProtobufMessageSchema(
            "core.PersistentVolumeClaimCondition",
            [
                field(1, "type", .string, .keepZero),
                field(2, "status", .string, .keepZero),
                field(3, "lastProbeTime", .time),
                field(4, "lastTransitionTime", .time),
                field(5, "reason", .string),
                field(6, "message", .string),
            ]),
        ProtobufMessageSchema(
            "core.ModifyVolumeStatus",
            [
                field(1, "targetVolumeAttributesClassName", .string),
                field(2, "status", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.Pod",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("core.PodSpec")),
                field(3, "status", .message("core.PodStatus")),
            ]),
        ProtobufMessageSchema(
            "core.PodStatus",
            [
                field(1, "phase", .string),
                field(2, "conditions", .repeated(.message("core.PodCondition"))),
                field(3, "message", .string),
                field(4, "reason", .string),
                field(11, "nominatedNodeName", .string),
                field(5, "hostIP", .string),
                field(16, "hostIPs", .repeated(.message("core.HostIP"))),
                field(6, "podIP", .string),
                field(12, "podIPs", .repeated(.message("core.PodIP"))),
                field(7, "startTime", .time),
                field(10, "initContainerStatuses", .repeated(.message("core.ContainerStatus"))),
                field(8, "containerStatuses", .repeated(.message("core.ContainerStatus"))),
                field(9, "qosClass", .string),
                field(13, "ephemeralContainerStatuses", .repeated(.message("core.ContainerStatus"))),
                field(14, "resize", .string),
                field(15, "resourceClaimStatuses", .repeated(.message("core.PodResourceClaimStatus"))),
            ]),
        ProtobufMessageSchema(
            "core.PodCondition",
            [
                field(1, "type", .string, .keepZero),
                field(2, "status", .string, .keepZero),
                field(3, "lastProbeTime", .time),
                field(4, "lastTransitionTime", .time),
                field(5, "reason", .string),
                field(6, "message", .string),
            ]),
        ProtobufMessageSchema(
            "core.HostIP",
            [
                field(1, "ip", .string, .keepZero)
            ]),
        ProtobufMessageSchema(
            "core.PodIP",
            [
                field(1, "ip", .string, .keepZero)
            ]),
        ProtobufMessageSchema(
            "core.ContainerStatus",
            [
                field(1, "name", .string, .keepZero),
                field(2, "state", .message("core.ContainerState")),
                field(3, "lastState", .message("core.ContainerState")),
                field(4, "ready", .bool, .keepZero),
                field(5, "restartCount", .int32, .keepZero),
                field(6, "image", .string, .keepZero),
                field(7, "imageID", .string, .keepZero),
                field(8, "containerID", .string),
                field(9, "started", .bool, .keepZero),
                field(10, "allocatedResources", .map(.quantity)),
                field(11, "resources", .message("core.ResourceRequirements")),
                field(12, "volumeMounts", .repeated(.message("core.VolumeMountStatus"))),
                field(13, "user", .message("core.ContainerUser")),
                field(14, "allocatedResourcesStatus", .repeated(.message("core.ResourceStatus"))),
            ]),
        ProtobufMessageSchema(
            "core.ContainerState",
            [
                field(1, "waiting", .message("core.ContainerStateWaiting")),
                field(2, "running", .message("core.ContainerStateRunning")),
                field(3, "terminated", .message("core.ContainerStateTerminated")),
            ]),
        ProtobufMessageSchema(
            "core.ContainerStateWaiting",
            [
                field(1, "reason", .string),
                field(2, "message", .string),
            ]),
        ProtobufMessageSchema(
            "core.ContainerStateRunning",
            [
                field(1, "startedAt", .time)
            ]),
        ProtobufMessageSchema(
            "core.ContainerStateTerminated",
            [
                field(1, "exitCode", .int32, .keepZero),
                field(2, "signal", .int32),
                field(3, "reason", .string),
                field(4, "message", .string),
                field(5, "startedAt", .time),
                field(6, "finishedAt", .time),
                field(7, "containerID", .string),
            ]),
        ProtobufMessageSchema(
            "core.VolumeMountStatus",
            [
                field(1, "name", .string, .keepZero),
                field(2, "mountPath", .string, .keepZero),
                field(3, "readOnly", .bool),
                field(4, "recursiveReadOnly", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.ContainerUser",
            [
                field(1, "linux", .message("core.LinuxContainerUser"))
            ]),
        ProtobufMessageSchema(
            "core.LinuxContainerUser",
            [
                field(1, "uid", .int64, .keepZero),
                field(2, "gid", .int64, .keepZero),
                field(3, "supplementalGroups", .repeated(.int64)),
            ]),
        ProtobufMessageSchema(
            "core.ResourceStatus",
            [
                field(1, "name", .string, .keepZero),
                field(2, "resources", .repeated(.message("core.ResourceHealth"))),
            ]),
        ProtobufMessageSchema(
            "core.ResourceHealth",
            [
                field(1, "resourceID", .string, .keepZero),
                field(2, "health", .string),
            ]),
        ProtobufMessageSchema(
            "core.PodResourceClaimStatus",
            [
                field(1, "name", .string, .keepZero),
                field(2, "resourceClaimName", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.ReplicationController",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("core.ReplicationControllerSpec")),
                field(3, "status", .message("core.ReplicationControllerStatus")),
            ]),
        ProtobufMessageSchema(
            "core.ReplicationControllerSpec",
            [
                field(1, "replicas", .int32, .keepZero),
                field(4, "minReadySeconds", .int32),
                field(2, "selector", .map(.string)),
                field(3, "template", .message("core.PodTemplateSpec")),
            ]),
        ProtobufMessageSchema(
            "core.ReplicationControllerStatus",
            [
                field(1, "replicas", .int32, .keepZero),
                field(2, "fullyLabeledReplicas", .int32),
                field(4, "readyReplicas", .int32),
                field(5, "availableReplicas", .int32),
                field(3, "observedGeneration", .int64),
                field(6, "conditions", .repeated(.message("core.ReplicationControllerCondition"))),
            ]),
        ProtobufMessageSchema(
            "core.ReplicationControllerCondition",
            [
                field(1, "type", .string, .keepZero),
                field(2, "status", .string, .keepZero),
                field(3, "lastTransitionTime", .time),
                field(4, "reason", .string),
                field(5, "message", .string),
            ]),
        ProtobufMessageSchema(
            "core.PodTemplate",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "template", .message("core.PodTemplateSpec")),
            ]),
    ]
}

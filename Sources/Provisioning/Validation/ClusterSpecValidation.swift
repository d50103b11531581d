import KubeModel

/// The rules a cluster specification must keep, each broken one reported with moxxie's field
/// path, all at once: a tenant fixes everything in one round trip.
public enum ClusterSpecValidation {
    /// Checks `spec` and resolves its defaults, or throws every violation found.
    public static func validate(_ spec: ClusterSpec) throws(ClusterSpecInvalid) -> ValidatedClusterSpec {
        var check = Checker()
        let resolved = check.run(spec)
        if let resolved, check.violations.isEmpty { return resolved }
        throw ClusterSpecInvalid(violations: check.finished())
    }

    /// Every violation of `spec`, empty when it is valid.
    public static func violations(of spec: ClusterSpec) -> [ConstraintViolation] {
        do {
            _ = try validate(spec)
            return []
        } catch {
            return error.violations
        }
    }

    /// Whether `name` is an RFC 1123 DNS label: lowercase letters, digits and inner hyphens.
    public static func isDNSLabel(_ name: String, maximumLength: Int = ClusterSpecLimits.nameLength) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return false }
        let allowed = { (byte: UInt8) in (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D }
        return bytes.allSatisfy(allowed) && bytes.first != 0x2D && bytes.last != 0x2D
    }
}

/// Collects violations, at most ``ClusterSpecLimits/maximumViolations``.
private struct Checker {
    var violations: [ConstraintViolation] = []
    var dropped = 0

    mutating func add(_ field: String, _ message: String) {
        if violations.count < ClusterSpecLimits.maximumViolations {
            violations.append(ConstraintViolation(field: field, message: message))
        } else {
            dropped += 1
        }
    }

    func finished() -> [ConstraintViolation] {
        guard dropped > 0 else { return violations }
        return violations + [ConstraintViolation(field: "", message: "\(dropped) more violations not listed")]
    }

    mutating func run(_ spec: ClusterSpec) -> ValidatedClusterSpec? {
        let name = checkName(spec.name)
        let type = checkType(spec.type)
        let version = checkVersion(spec.version, type: type)
        let bootMethod = checkBootMethod(spec.bootMethod, type: type)
        let groups = checkNodeGroups(spec.nodeGroups, clusterName: name, type: type)
        let services = checkServices(spec.services)
        checkFreeForm(spec.validation, field: "validation")
        let rollback = spec.options?.rollbackStrategy ?? .full
        if !rollback.isKnown {
            add("options.rollbackStrategy", "must be one of \(RollbackStrategy.knownList)")
        }
        guard let name, let type, let bootMethod, let groups, let services, violations.isEmpty else { return nil }
        return ValidatedClusterSpec(
            name: name, type: type, version: version, bootMethod: bootMethod, nodeGroups: groups, services: services,
            rollbackStrategy: rollback, dryRun: spec.options?.dryRun ?? false, spec: spec)
    }

    // MARK: - Cluster

    mutating func checkName(_ name: String?) -> String? {
        guard let name, !name.isEmpty else {
            add("name", "Cluster name is required")
            return nil
        }
        guard name.utf8.count <= ClusterSpecLimits.nameLength else {
            add("name", "must not exceed \(ClusterSpecLimits.nameLength) characters")
            return nil
        }
        guard ClusterSpecValidation.isDNSLabel(name) else {
            add("name", "must be lowercase alphanumeric with optional inner hyphens (a DNS label)")
            return nil
        }
        return name
    }

    mutating func checkType(_ type: ClusterType?) -> ClusterType? {
        guard let type else {
            add("type", "Cluster type is required")
            return nil
        }
        guard type.isKnown else {
            add("type", "unknown cluster type \(Self.quoted(type.rawValue)); must be one of \(ClusterType.knownList)")
            return nil
        }
        return type
    }

    mutating func checkVersion(_ version: String?, type: ClusterType?) -> ClusterVersion? {
        guard let type else { return nil }
        guard let version, !version.isEmpty else {
            if type != .generic { add("version", "is required for a \(type) cluster") }
            return nil
        }
        if type == .generic {
            if version.count > ClusterSpecLimits.versionLength {
                add("version", "must not exceed \(ClusterSpecLimits.versionLength) characters")
            }
            return nil
        }
        switch ClusterVersion.parse(version, for: type) {
        case .failure(let error):
            add("version", error.description)
            return nil
        case .success(let parsed):
            let provider = ClusterPlatformProviders.provider(for: type)
            if let supported = provider.supportedKubernetesMinors, !supported.contains(parsed.minor) {
                add(
                    "version",
                    "\(type) provisioning supports \(parsed.major).\(supported.lowerBound) to \(parsed.major).\(supported.upperBound)"
                        + " (\(provider.versionSupportReason))")
            }
            return parsed
        }
    }

    mutating func checkBootMethod(_ method: BootMethod?, type: ClusterType?) -> BootMethod? {
        let method = method ?? .template
        guard method.isKnown else {
            add("bootMethod", "unknown boot method \(Self.quoted(method.rawValue)); must be one of \(BootMethod.knownList)")
            return nil
        }
        guard let type else { return method }
        let supported = ClusterPlatformProviders.provider(for: type).supportedBootMethods
        guard supported.contains(method) else {
            add(
                "bootMethod",
                "\(method) is not supported by the \(type) provider (supported: "
                    + supported.map(\.rawValue).joined(separator: ", ") + ")")
            return nil
        }
        return method
    }

    // MARK: - Node groups

    mutating func checkNodeGroups(
        _ groups: [NodeGroupSpec]?, clusterName: String?, type: ClusterType?
    ) -> [ValidatedClusterSpec.NodeGroup]? {
        guard let groups, !groups.isEmpty else {
            add("nodeGroups", "At least one node group is required")
            return nil
        }
        guard groups.count <= ClusterSpecLimits.nodeGroups else {
            // Checking 10,000 groups one by one would only bury this.
            add("nodeGroups", "at most \(ClusterSpecLimits.nodeGroups) node groups (found \(groups.count))")
            return nil
        }
        var resolved: [ValidatedClusterSpec.NodeGroup] = []
        var seen: [String: Int] = [:]
        var total = 0
        for (index, group) in groups.enumerated() {
            let field = "nodeGroups[\(index)]"
            if let name = group.name {
                if let first = seen[name] {
                    add("\(field).name", "duplicate node group name \(Self.quoted(name)) (also nodeGroups[\(first)])")
                } else {
                    seen[name] = index
                }
            }
            total += min(max(group.count ?? 0, 0), ClusterSpecLimits.nodesPerGroup.upperBound)
            if let checked = checkNodeGroup(group, field: field, clusterName: clusterName, type: type) {
                resolved.append(checked)
            }
        }
        if total > ClusterSpecLimits.nodesPerCluster {
            add("nodeGroups", "at most \(ClusterSpecLimits.nodesPerCluster) nodes per cluster (found \(total))")
        }
        if let type { checkRoles(groups: groups, type: type) }
        return resolved.count == groups.count ? resolved : nil
    }

    mutating func checkRoles(groups: [NodeGroupSpec], type: ClusterType) {
        if type != .generic, !groups.contains(where: { $0.role == .controlPlane }) {
            add("nodeGroups", "At least one CONTROL_PLANE node group is required")
        }
        let provider = ClusterPlatformProviders.provider(for: type)
        for (index, group) in groups.enumerated() {
            guard let role = group.role, role.isKnown, !provider.supportedRoles.contains(role) else { continue }
            add(
                "nodeGroups[\(index)].role",
                "\(role) is not supported by the \(type) provider (supported: "
                    + provider.supportedRoles.map(\.rawValue).joined(separator: ", ") + ")")
        }
        if type == .okd {
            let bootstrap = groups.enumerated().filter { $0.element.role == .bootstrap }
            if bootstrap.isEmpty {
                add("nodeGroups", "an OKD cluster needs one BOOTSTRAP node group (count 1) to serve the control plane's Ignition")
            }
            for (index, _) in bootstrap.dropFirst() {
                add("nodeGroups[\(index)].role", "an OKD cluster has exactly one BOOTSTRAP node group")
            }
            for (index, group) in bootstrap where (group.count ?? 1) != 1 {
                add("nodeGroups[\(index)].count", "an OKD bootstrap group has exactly 1 node")
            }
        }
    }

    mutating func checkNodeGroup(
        _ group: NodeGroupSpec, field: String, clusterName: String?, type: ClusterType?
    ) -> ValidatedClusterSpec.NodeGroup? {
        var valid = true
        var name = ""
        if let groupName = group.name, !groupName.isEmpty {
            if ClusterSpecValidation.isDNSLabel(groupName) {
                name = groupName
                if let clusterName, let count = group.count, ClusterSpecLimits.nodesPerGroup.contains(count) {
                    let longest = PlannedNode.vmName(cluster: clusterName, group: groupName, index: count)
                    if longest.utf8.count > ClusterSpecLimits.nameLength {
                        add(
                            "\(field).name",
                            "VM name \(Self.quoted(longest)) would exceed \(ClusterSpecLimits.nameLength) characters; "
                                + "shorten the cluster or group name")
                        valid = false
                    }
                }
            } else {
                add("\(field).name", "must be lowercase alphanumeric with optional inner hyphens, at most 63 characters")
                valid = false
            }
        } else {
            add("\(field).name", "Node group name is required")
            valid = false
        }
        let role = group.role
        if let role {
            if !role.isKnown {
                add("\(field).role", "unknown role \(Self.quoted(role.rawValue)); must be one of \(NodeRole.knownList)")
                valid = false
            }
        } else {
            add("\(field).role", "Node role is required")
            valid = false
        }
        let count = checkRange(group.count, ClusterSpecLimits.nodesPerGroup, field: "\(field).count", what: "Node count")
        let template = group.template
        if template == nil { add("\(field).template", "Node template is required") }
        let cores = template.flatMap { checkRange($0.cores, ClusterSpecLimits.cores, field: "\(field).template.cores", what: "CPU cores") }
        let memory = template.flatMap {
            checkRange($0.memoryMB, ClusterSpecLimits.memoryMB, field: "\(field).template.memoryMB", what: "Memory")
        }
        var disk: Int? = ClusterSpecLimits.defaultDiskGB
        if let diskGB = template?.diskGB {
            disk = checkRange(diskGB, ClusterSpecLimits.diskGB, field: "\(field).template.diskGB", what: "Disk size")
        }
        let image = template.flatMap { checkImageSource($0.imageSource, field: "\(field).template.imageSource") }
        let antiAffinity = group.placement?.antiAffinity ?? .soft
        if !antiAffinity.isKnown {
            add("\(field).placement.antiAffinity", "must be one of \(AntiAffinity.knownList)")
            valid = false
        }
        guard valid, let role, let count, let cores, let memory, let disk, let image else { return nil }
        return ValidatedClusterSpec.NodeGroup(
            name: name, role: role, count: count, cores: cores, memoryMB: memory, diskGB: disk, image: image,
            antiAffinity: antiAffinity, temporary: group.lifecycle?.temporary ?? (role == .bootstrap))
    }

    mutating func checkRange(_ value: Int?, _ range: ClosedRange<Int>, field: String, what: String) -> Int? {
        guard let value else {
            add(field, "\(what) is required")
            return nil
        }
        guard range.contains(value) else {
            add(field, "must be between \(range.lowerBound) and \(range.upperBound) (found \(value))")
            return nil
        }
        return value
    }

    mutating func checkImageSource(_ source: ImageSource?, field: String) -> ValidatedClusterSpec.RootDisk? {
        guard let source else {
            add(field, "Image source is required: one of containerDisk, dataVolume, vmDiskImage")
            return nil
        }
        let given = [source.containerDisk != nil, source.dataVolume != nil, source.vmDiskImage != nil].filter { $0 }.count
        guard given == 1 else {
            add(field, "exactly one of containerDisk, dataVolume, vmDiskImage (found \(given))")
            return nil
        }
        if let disk = source.containerDisk {
            guard let image = disk.image, Self.isImageReference(image) else {
                add("\(field).containerDisk.image", "must be a container image reference (no spaces, at most 512 characters)")
                return nil
            }
            return .containerDisk(image: image)
        }
        let (reference, key) = source.dataVolume.map { ($0, "dataVolume") } ?? (source.vmDiskImage!, "vmDiskImage")
        var valid = true
        if !(reference.name.map { ClusterSpecValidation.isDNSLabel($0, maximumLength: 253) || Self.isSubdomain($0) } ?? false) {
            add("\(field).\(key).name", "must be the name of a \(key == "dataVolume" ? "DataVolume" : "VMDiskImage")")
            valid = false
        }
        if let namespace = reference.namespace, !ClusterSpecValidation.isDNSLabel(namespace) {
            add("\(field).\(key).namespace", "must be a namespace name")
            valid = false
        }
        guard valid, let name = reference.name else { return nil }
        return key == "dataVolume"
            ? .dataVolume(name: name, namespace: reference.namespace) : .vmDiskImage(name: name, namespace: reference.namespace)
    }

    // MARK: - Services

    mutating func checkServices(_ services: [ServiceSpec]?) -> [ValidatedClusterSpec.Service]? {
        let services = services ?? []
        guard services.count <= ClusterSpecLimits.services else {
            add("services", "at most \(ClusterSpecLimits.services) services (found \(services.count))")
            return nil
        }
        var resolved: [ValidatedClusterSpec.Service] = []
        var seen: [String: Int] = [:]
        let names = Set(services.compactMap(\.name))
        for (index, service) in services.enumerated() {
            let field = "services[\(index)]"
            var valid = true
            if let name = service.name, ClusterSpecValidation.isDNSLabel(name) {
                if let first = seen[name] {
                    add("\(field).name", "duplicate service name \(Self.quoted(name)) (also services[\(first)])")
                    valid = false
                } else {
                    seen[name] = index
                }
            } else {
                add("\(field).name", service.name == nil ? "Service name is required" : "must be a DNS label (at most 63 characters)")
                valid = false
            }
            if let type = service.type {
                if !type.isKnown {
                    add("\(field).type", "unknown service type \(Self.quoted(type.rawValue)); must be one of \(ServiceType.knownList)")
                    valid = false
                }
            } else {
                add("\(field).type", "Service type is required")
                valid = false
            }
            let dependsOn = service.dependsOn ?? []
            if dependsOn.count > ClusterSpecLimits.dependencies {
                add("\(field).dependsOn", "at most \(ClusterSpecLimits.dependencies) dependencies (found \(dependsOn.count))")
                valid = false
            } else {
                for (position, dependency) in dependsOn.enumerated() {
                    if dependency == service.name {
                        add("\(field).dependsOn[\(position)]", "a service cannot depend on itself")
                        valid = false
                    } else if !names.contains(dependency) {
                        add("\(field).dependsOn[\(position)]", "no service named \(Self.quoted(dependency))")
                        valid = false
                    }
                }
            }
            let order = service.startupOrder ?? 0
            if !ClusterSpecLimits.startupOrder.contains(order) {
                add(
                    "\(field).startupOrder",
                    "must be between \(ClusterSpecLimits.startupOrder.lowerBound) and \(ClusterSpecLimits.startupOrder.upperBound)")
                valid = false
            }
            checkFreeForm(service.configuration, field: "\(field).configuration")
            if !checkImplementation(service, field: "\(field).configuration.\(LoadBalancerImplementation.configurationKey)") {
                valid = false
            }
            if valid, let name = service.name, let type = service.type {
                resolved.append(
                    .init(name: name, type: type, configuration: service.configuration, dependsOn: dependsOn, startupOrder: order))
            }
        }
        let entries = services.compactMap { service in
            service.name.map {
                ServiceStartupOrder.Entry(
                    name: $0, dependsOn: Array((service.dependsOn ?? []).prefix(ClusterSpecLimits.dependencies)),
                    startupOrder: service.startupOrder ?? 0)
            }
        }
        switch ServiceStartupOrder.order(entries) {
        case .failure(let cycle):
            let index = services.firstIndex { $0.name == cycle.path.first } ?? 0
            add("services[\(index)].dependsOn", cycle.description)
            return nil
        case .success(let order):
            guard resolved.count == services.count else { return nil }
            let byName = Dictionary(resolved.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            return order.compactMap { byName[$0] }
        }
    }

    /// `configuration.implementation`: a LOAD_BALANCER's `service` or `haproxy`; no other type
    /// has a choice, so naming one there is a violation rather than silently ignored.
    mutating func checkImplementation(_ service: ServiceSpec, field: String) -> Bool {
        guard let chosen = service.configuration?[LoadBalancerImplementation.configurationKey] else { return true }
        guard service.type == .loadBalancer else {
            add(field, "only a LOAD_BALANCER service chooses an implementation")
            return false
        }
        guard let text = chosen.stringValue, LoadBalancerImplementation(rawValue: text) != nil else {
            let shown = chosen.stringValue.map(Self.quoted) ?? "a non-string value"
            add(field, "unknown load balancer implementation \(shown); must be one of \(LoadBalancerImplementation.knownList)")
            return false
        }
        return true
    }

    mutating func checkFreeForm(_ value: JSONValue?, field: String) {
        guard let value else { return }
        if value.nestingDepthExceeds(ClusterSpecLimits.freeFormDepth) {
            add(field, "nests deeper than \(ClusterSpecLimits.freeFormDepth) levels")
        } else if value.approximateSize(upTo: ClusterSpecLimits.freeFormBytes) > ClusterSpecLimits.freeFormBytes {
            add(field, "larger than \(ClusterSpecLimits.freeFormBytes) bytes")
        }
    }

    // MARK: - Helpers

    /// A value echoed in a message, cut short: a hostile value must not make the answer huge.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 64 ? String(text.prefix(64)) + "…" : text
        return "'\(shown)'"
    }

    static func isImageReference(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= ClusterSpecLimits.imageReferenceLength
            && text.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }
    }

    static func isSubdomain(_ text: String) -> Bool {
        text.utf8.count <= 253
            && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
                ClusterSpecValidation.isDNSLabel(String($0))
            }
    }
}

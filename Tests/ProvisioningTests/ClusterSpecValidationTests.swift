import Foundation
import KubeModel
import Testing

@testable import Provisioning

@Suite struct ClusterSpecValidationTests {
    func violations(_ spec: ClusterSpec) -> [ConstraintViolation] { ClusterSpecValidation.violations(of: spec) }

    func fields(_ spec: ClusterSpec) -> Set<String> { Set(violations(spec).map(\.field)) }

    @Test(arguments: ClusterType.known)
    func everyFixtureIsValid(type: ClusterType) throws {
        let valid = try ClusterSpecValidation.validate(Fixtures.spec(type))
        #expect(valid.type == type)
        #expect(valid.bootMethod == .template)
        #expect(valid.rollbackStrategy == .full)
        #expect(valid.nodes.count == Fixtures.spec(type).nodeGroups!.reduce(0) { $0 + $1.count! })
    }

    @Test func emptySpecListsEveryRequiredField() {
        let found = violations(ClusterSpec())
        #expect(Set(found.map(\.field)) == ["name", "type", "nodeGroups"])
        #expect(found.contains(ConstraintViolation(field: "name", message: "Cluster name is required")))
    }

    @Test func allViolationsReportedAtOnce() {
        var spec = Fixtures.spec(.k3s)
        spec.name = "Bad_Name"
        spec.version = "1.32"
        spec.nodeGroups![0].count = 0
        spec.nodeGroups![1].template!.cores = 129
        spec.nodeGroups![1].template!.memoryMB = 256
        spec.nodeGroups![2].role = NodeRole(rawValue: "KING")
        spec.options = ProvisioningOptions(rollbackStrategy: RollbackStrategy(rawValue: "SOMETIMES"))
        #expect(
            fields(spec) == [
                "name", "version", "nodeGroups[0].count", "nodeGroups[1].template.cores", "nodeGroups[1].template.memoryMB",
                "nodeGroups[2].role", "options.rollbackStrategy",
            ])
        #expect(violations(spec).contains { $0.field == "nodeGroups[0].count" && $0.message.contains("between 1 and 100") })
    }

    @Test(arguments: [
        (ClusterType.k3s, "v1.32.0+k3s1", true), (.k3s, "v1.32.0", false), (.k3s, "v1.32.0+rke2r1", false),
        (.rke2, "v1.32.0+rke2r1", true), (.rke2, "v1.32.0+k3s1", false),
        (.vanilla, "v1.32.0", true), (.vanilla, "1.32.0", false), (.vanilla, "v1.32", false), (.vanilla, "v1.30.0", false),
        (.talos, "v1.32.0", true), (.talos, "v1.33.0", false), (.talos, "v1.32.0+k3s1", false),
        (.okd, "4.19.0", true), (.okd, "4.19.0-okd-scos.3", true), (.okd, "v4.19.0", false), (.okd, "5.0.0", false),
        (.k3s, "v1.32.0+k3s1 ", false), (.k3s, String(repeating: "9", count: 10_000), false),
    ])
    func versionFormatPerType(type: ClusterType, version: String, valid: Bool) {
        var spec = Fixtures.spec(type)
        spec.version = version
        #expect(fields(spec).contains("version") == !valid, "\(type) \(version)")
    }

    @Test func versionRequiredExceptForGeneric() {
        var k3s = Fixtures.spec(.k3s)
        k3s.version = nil
        #expect(fields(k3s) == ["version"])
        var generic = Fixtures.spec(.generic)
        generic.version = nil
        #expect(violations(generic).isEmpty)
    }

    @Test func unknownTypeAndBootMethod() {
        var spec = Fixtures.spec(.k3s)
        spec.type = ClusterType(rawValue: "MINIKUBE")
        spec.bootMethod = BootMethod(rawValue: "FLOPPY")
        let found = violations(spec)
        #expect(found.contains { $0.field == "type" && $0.message.contains("K3S, RKE2, VANILLA, TALOS, OKD, GENERIC") })
        #expect(found.contains { $0.field == "bootMethod" && $0.message.contains("unknown boot method") })
    }

    @Test func bootMethodMustBeSupportedByTheProvider() {
        var spec = Fixtures.spec(.talos)
        spec.bootMethod = .pxe
        #expect(
            violations(spec) == [
                ConstraintViolation(field: "bootMethod", message: "PXE is not supported by the TALOS provider (supported: TEMPLATE)")
            ])
    }

    @Test func controlPlaneRequired() {
        var spec = Fixtures.spec(.k3s)
        spec.nodeGroups = [Fixtures.group("work", .worker)]
        #expect(
            violations(spec) == [ConstraintViolation(field: "nodeGroups", message: "At least one CONTROL_PLANE node group is required")])
    }

    @Test func rolesMustSuitTheType() {
        var spec = Fixtures.spec(.vanilla)
        spec.nodeGroups!.append(Fixtures.group("boot", .bootstrap))
        #expect(fields(spec) == ["nodeGroups[3].role"])
        var okd = Fixtures.spec(.okd)
        okd.nodeGroups!.removeFirst()
        #expect(violations(okd).contains { $0.field == "nodeGroups" && $0.message.contains("BOOTSTRAP") })
        var twoBootstrapNodes = Fixtures.spec(.okd)
        twoBootstrapNodes.nodeGroups![0].count = 2
        #expect(fields(twoBootstrapNodes) == ["nodeGroups[0].count"])
    }

    @Test func uniqueGroupAndServiceNames() {
        var spec = Fixtures.spec(.k3s)
        spec.nodeGroups![1].name = "cp"
        spec.services = [ServiceSpec(name: "lb", type: .loadBalancer), ServiceSpec(name: "lb", type: .dns)]
        let found = violations(spec)
        #expect(
            found.contains(ConstraintViolation(field: "nodeGroups[1].name", message: "duplicate node group name 'cp' (also nodeGroups[0])"))
        )
        #expect(found.contains(ConstraintViolation(field: "services[1].name", message: "duplicate service name 'lb' (also services[0])")))
    }

    @Test func dependenciesMustExistAndNotCycle() {
        var spec = Fixtures.spec(.k3s)
        spec.services = [
            ServiceSpec(name: "lb", type: .loadBalancer, dependsOn: ["dns", "ghost"]),
            ServiceSpec(name: "dns", type: .dns, dependsOn: ["dhcp"]),
            ServiceSpec(name: "dhcp", type: .dhcp, dependsOn: ["dns"]),
            ServiceSpec(name: "self", type: .storage, dependsOn: ["self"]),
        ]
        let found = violations(spec)
        #expect(found.contains(ConstraintViolation(field: "services[0].dependsOn[1]", message: "no service named 'ghost'")))
        #expect(found.contains(ConstraintViolation(field: "services[3].dependsOn[0]", message: "a service cannot depend on itself")))
        #expect(found.contains { $0.message == "dependency cycle: dns → dhcp → dns" })
    }

    @Test func servicesComeBackInStartOrder() throws {
        var spec = Fixtures.spec(.k3s)
        spec.services = [
            ServiceSpec(name: "lb", type: .loadBalancer, dependsOn: ["dns"]),
            ServiceSpec(name: "dns", type: .dns, dependsOn: ["dhcp"]),
            ServiceSpec(name: "dhcp", type: .dhcp),
            ServiceSpec(name: "metrics", type: .monitoring, startupOrder: 5),
        ]
        let valid = try ClusterSpecValidation.validate(spec)
        #expect(valid.services.map(\.name) == ["dhcp", "dns", "lb", "metrics"])
    }

    @Test func namesAreDNSLabelsAndVMNamesFit() {
        var spec = Fixtures.spec(.k3s)
        spec.name = String(repeating: "a", count: 64)
        #expect(violations(spec).contains(ConstraintViolation(field: "name", message: "must not exceed 63 characters")))
        spec.name = String(repeating: "c", count: 50)
        spec.nodeGroups![0].name = "control-plane" // 50 + 1 + 13 + 3 = 67
        spec.nodeGroups![2].name = "-infra"
        let found = violations(spec)
        #expect(found.contains { $0.field == "nodeGroups[0].name" && $0.message.contains("would exceed 63 characters") })
        #expect(found.contains { $0.field == "nodeGroups[2].name" && $0.message.contains("lowercase alphanumeric") })
        spec.nodeGroups![0].name = "cp" // 50 + 1 + 2 + 3 = 56: fits
        #expect(!fields(spec).contains("nodeGroups[0].name"))
    }

    @Test func vmNamesHaveTwoDigitsAtLeast() throws {
        var spec = Fixtures.spec(.generic, name: "lab")
        spec.nodeGroups = [Fixtures.group("vm", .worker, count: 100)]
        let names = try ClusterSpecValidation.validate(spec).nodes.map(\.vmName)
        #expect(names.first == "lab-vm-01")
        #expect(names[9] == "lab-vm-10")
        #expect(names.last == "lab-vm-100")
    }

    @Test func imageSourceNeedsExactlyOne() {
        var spec = Fixtures.spec(.k3s)
        spec.nodeGroups![0].template!.imageSource = ImageSource()
        spec.nodeGroups![1].template!.imageSource = ImageSource(
            containerDisk: .init(image: "a:b"), dataVolume: .init(name: "golden"))
        spec.nodeGroups![2].template!.imageSource = .containerDisk("has space")
        #expect(
            fields(spec) == [
                "nodeGroups[0].template.imageSource", "nodeGroups[1].template.imageSource",
                "nodeGroups[2].template.imageSource.containerDisk.image",
            ])
    }

    @Test func missingTemplateAndCounts() {
        var spec = Fixtures.spec(.generic)
        spec.nodeGroups = [NodeGroupSpec(name: "vm", role: .worker)]
        #expect(fields(spec) == ["nodeGroups[0].count", "nodeGroups[0].template"])
        spec.nodeGroups = [NodeGroupSpec(name: "vm", role: .worker, count: 1, template: NodeTemplate())]
        #expect(
            fields(spec) == ["nodeGroups[0].template.cores", "nodeGroups[0].template.memoryMB", "nodeGroups[0].template.imageSource"])
    }

    // MARK: - Hostile specifications

    @Test func tenThousandGroupsGetOneBoundedAnswer() {
        var spec = Fixtures.spec(.k3s)
        spec.nodeGroups = (0..<10_000).map { Fixtures.group("g\($0)", .worker, count: 100) }
        #expect(violations(spec) == [ConstraintViolation(field: "nodeGroups", message: "at most 20 node groups (found 10000)")])
    }

    @Test func totalNodesBounded() {
        var spec = Fixtures.spec(.generic)
        spec.nodeGroups = (0..<3).map { Fixtures.group("g\($0)", .worker, count: 100) }
        #expect(violations(spec) == [ConstraintViolation(field: "nodeGroups", message: "at most 200 nodes per cluster (found 300)")])
    }

    @Test func violationsAreCappedWithASummary() {
        var spec = Fixtures.spec(.generic)
        spec.services = (0..<20).map {
            ServiceSpec(name: "s\($0)", type: ServiceType(rawValue: "X"), dependsOn: (0..<20).map { "ghost\($0)" })
        }
        let found = violations(spec)
        #expect(found.count == ClusterSpecLimits.maximumViolations + 1)
        #expect(found.last?.message == "\(20 * 21 - ClusterSpecLimits.maximumViolations) more violations not listed")
    }

    @Test func hugeStringsAreRejectedAndNotEchoed() {
        let huge = String(repeating: "x", count: 1_000_000)
        var spec = Fixtures.spec(.k3s)
        spec.name = huge
        spec.type = ClusterType(rawValue: huge)
        spec.nodeGroups![0].name = huge
        spec.nodeGroups![1].template!.imageSource = .containerDisk(huge)
        spec.services = [ServiceSpec(name: "lb", type: .loadBalancer, dependsOn: [huge])]
        let found = violations(spec)
        #expect(Set(found.map(\.field)).isSuperset(of: ["name", "type", "nodeGroups[0].name", "services[0].dependsOn[0]"]))
        #expect(found.allSatisfy { $0.message.count < 300 })
    }

    @Test func freeFormFieldsAreBounded() {
        var deep: JSONValue = "leaf"
        for _ in 0..<20 { deep = ["x": deep] }
        var spec = Fixtures.spec(.k3s)
        spec.services = [ServiceSpec(name: "lb", type: .loadBalancer, configuration: deep)]
        spec.validation = ["blob": .string(String(repeating: "y", count: 20_000))]
        #expect(fields(spec) == ["services[0].configuration", "validation"])
    }

    @Test func responseBodyHasMoxxiesShape() throws {
        let invalid = ClusterSpecInvalid(violations: [ConstraintViolation(field: "nodeGroups[0].count", message: "too many")])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(invalid.response), as: UTF8.self)
        #expect(
            text == #"{"status":400,"title":"Constraint Violation","violations":[{"field":"nodeGroups[0].count","message":"too many"}]}"#)
    }
}

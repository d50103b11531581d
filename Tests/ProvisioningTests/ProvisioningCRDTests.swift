import Foundation
import KubeModel
import Testing
import Yams

@testable import Provisioning

@Suite struct ProvisioningCRDTests {
    @Test func bothCRDsShipWithPrinterColumns() throws {
        let names = ProvisioningCRDs.files.map(\.lastPathComponent)
        #expect(
            names == [
                "virtyard.io_auditentries.yaml", "virtyard.io_clusterdefinitions.yaml", "virtyard.io_clusteroperations.yaml",
            ])
        for file in ProvisioningCRDs.files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let crd = try #require(try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }.first)
            #expect(value(crd, "spec.group") as? String == "virtyard.io")
            let version = try #require((value(crd, "spec.versions") as? [[String: Any]])?.first)
            #expect(version["name"] as? String == "v1alpha1")
            // An audit entry is written once: it has no status to update.
            if !file.lastPathComponent.contains("auditentries") {
                #expect(value(version, "subresources.status") != nil)
            }
            let columns = (version["additionalPrinterColumns"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
            #expect(columns.contains("Age") && columns.count >= 4)
        }
    }

    @Test func phaseEnumIsMoxxies() throws {
        let file = try #require(ProvisioningCRDs.files.first { $0.lastPathComponent.contains("clusterdefinitions") })
        let crd = try #require(try Yams.load(yaml: String(contentsOf: file, encoding: .utf8)) as? [String: Any])
        let version = try #require((value(crd, "spec.versions") as? [[String: Any]])?.first)
        let phases = value(version, "schema.openAPIV3Schema.properties.status.properties.phase.enum") as? [String]
        #expect(phases == ClusterPhase.allCases.map(\.rawValue))
        #expect(phases?.first == "PENDING" && phases?.last == "CANCELLED" && phases?.count == 10)
        let types = value(version, "schema.openAPIV3Schema.properties.spec.properties.type.enum") as? [String]
        #expect(types == ClusterType.known.map(\.rawValue))
    }

    /// The `openAPIV3Schema` of a CRD, as the embedded API server validates with it.
    static func schema(_ name: String) throws -> OpenAPISchema {
        let file = try #require(ProvisioningCRDs.files.first { $0.lastPathComponent.contains(name) })
        let crd = try #require(try Yams.load(yaml: String(contentsOf: file, encoding: .utf8)) as? [String: Any])
        let version = try #require((value(crd, "spec.versions") as? [[String: Any]])?.first)
        let schema = try #require(value(version, "schema.openAPIV3Schema"))
        return OpenAPISchema(try JSONValue(parsing: try JSONSerialization.data(withJSONObject: schema)))
    }

    @Test(arguments: ClusterType.known)
    func everyValidSpecFitsTheClusterDefinitionSchema(type: ClusterType) throws {
        let spec = try JSONValue(parsing: Fixtures.spec(type).encodedJSON())
        let object: JSONValue = [
            "apiVersion": "virtyard.io/v1alpha1", "kind": "ClusterDefinition", "metadata": ["name": "demo"], "spec": spec,
            "status": ["phase": "PROVISIONING", "nodeGroups": [["name": "cp", "replicas": 3, "readyReplicas": 1]]],
        ]
        let errors = try Self.schema("clusterdefinitions").validate(object)
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test func schemaRefusesWhatTheValidatorRefuses() throws {
        var spec = Fixtures.spec(.k3s)
        spec.nodeGroups![0].count = 0
        spec.type = ClusterType(rawValue: "MINIKUBE")
        let object: JSONValue = ["spec": try JSONValue(parsing: spec.encodedJSON())]
        let errors = try Self.schema("clusterdefinitions").validate(object).map(\.description)
        #expect(errors.count == 2, "\(errors)")
    }

    @Test func operationStatusHasMoxxiesFields() throws {
        let object: JSONValue = [
            "spec": ["operationId": "op-0a1b2c3d", "clusterName": "demo", "type": "PROVISION"],
            "status": [
                "operationId": "op-0a1b2c3d", "clusterName": "demo", "status": "PROVISIONING", "progressPercentage": 40,
                "currentOperation": "Creating control plane nodes", "totalNodes": 5, "successfulNodes": 2, "failedNodes": 0,
                "startTime": "2026-12-05T04:00:00Z",
                "nodeStates": [["name": "demo-cp-01", "nodeGroup": "cp", "status": "READY"]],
            ],
        ]
        let schema = try Self.schema("clusteroperations")
        #expect(schema.validate(object).isEmpty, "\(schema.validate(object))")
        let bad: JSONValue = ["spec": ["operationId": "op-XYZ", "clusterName": "demo", "type": "RESIZE"]]
        #expect(schema.validate(bad).count == 2)
    }
}

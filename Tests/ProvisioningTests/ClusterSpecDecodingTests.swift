import Foundation
import KubeModel
import Testing

@testable import Provisioning

@Suite struct ClusterSpecDecodingTests {
    @Test func decodesMoxxieNames() throws {
        let body = """
            {"name": "okd-lab", "type": "OKD", "version": "4.19.0", "bootMethod": "TEMPLATE",
             "nodeGroups": [{"name": "masters", "role": "CONTROL_PLANE", "count": 3,
               "template": {"cores": 4, "memoryMB": 16384, "diskGB": 120,
                            "imageSource": {"vmDiskImage": {"name": "scos-4-19"}}},
               "placement": {"antiAffinity": "HARD"}, "lifecycle": {"temporary": false}}],
             "services": [{"name": "lb", "type": "LOAD_BALANCER", "configuration": {"ports": [6443, 22623]},
                           "dependsOn": [], "startupOrder": 1}],
             "validation": {"checks": ["nodes-ready"]},
             "options": {"rollbackStrategy": "PARTIAL", "dryRun": true},
             "networkTopology": {"ignored": "moxxie fields Virtyard does not use are accepted"}}
            """
        let spec = try ClusterSpec.decode(from: Data(body.utf8))
        #expect(spec.name == "okd-lab")
        #expect(spec.type == .okd)
        #expect(spec.nodeGroups?.first?.template?.imageSource?.vmDiskImage?.name == "scos-4-19")
        #expect(spec.nodeGroups?.first?.placement?.antiAffinity == .hard)
        #expect(spec.services?.first?.configuration == ["ports": [6443, 22623]])
        #expect(spec.options == ProvisioningOptions(rollbackStrategy: .partial, dryRun: true))
    }

    @Test func unknownEnumerationValuesDecodeForTheValidator() throws {
        let spec = try ClusterSpec.decode(from: Data(#"{"type": "MINIKUBE", "bootMethod": "FLOPPY"}"#.utf8))
        #expect(spec.type == ClusterType(rawValue: "MINIKUBE"))
        #expect(spec.type?.isKnown == false)
        #expect(spec.bootMethod?.isKnown == false)
    }

    @Test(
        arguments: [
            ("{", ""),
            ("[]", ""),
            (#"{"name": 5}"#, "name"),
            (#"{"nodeGroups": [{"count": "three"}]}"#, "nodeGroups[0].count"),
            (#"{"nodeGroups": {"name": "x"}}"#, "nodeGroups"),
            // Foundation reports numbers that do not fit without a path: any field will do.
            (#"{"nodeGroups": [{"template": {"cores": 1.5}}]}"#, nil),
            (#"{"nodeGroups": [{"count": 1e40}]}"#, nil),
        ] as [(String, String?)])
    func malformedBodiesAreTypedErrors(body: String, field: String?) {
        #expect {
            _ = try ClusterSpec.decode(from: Data(body.utf8))
        } throws: { error in
            guard let error = error as? MalformedClusterSpec else { return false }
            return (field == nil || error.field == field) && error.description.hasPrefix("malformed JSON")
        }
    }

    @Test func deepNestingIsMalformedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let body = #"{"services": [{"name": "lb", "configuration": {"x": "# + deep + "}}]}"
        #expect(throws: MalformedClusterSpec.self) {
            _ = try ClusterSpec.decode(from: Data(body.utf8))
        }
    }

    @Test func encodesBackWithTheSameNames() throws {
        let spec = Fixtures.spec(.k3s)
        let again = try ClusterSpec.decode(from: spec.encodedJSON())
        #expect(again == spec)
        let text = String(decoding: spec.encodedJSON(), as: UTF8.self)
        #expect(text.contains(#""memoryMB":2048"#))
        #expect(text.contains(#""type":"K3S""#))
    }
}

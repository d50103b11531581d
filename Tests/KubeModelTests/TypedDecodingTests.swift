import Testing

@testable import KubeModel

/// Go-decoding semantics over a miniature of kube-apiserver's schemas (the real ones are
/// tested with the server, Tests/KubeServerTests/BuiltinSchemaAdmissionTests.swift).
@Suite struct TypedDecodingTests {
    static let definitions = SchemaDefinitions([
        "io.k8s.api.apps.v1.Deployment": [
            "type": "object",
            "properties": [
                "apiVersion": ["type": "string"], "kind": ["type": "string"],
                "metadata": ["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"],
                "spec": ["$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"],
            ],
        ],
        "io.k8s.api.apps.v1.DeploymentSpec": [
            "type": "object",
            "properties": [
                "replicas": ["type": "integer", "format": "int32"],
                "paused": ["type": "boolean"],
                "ports": ["type": "array", "items": ["$ref": "#/components/schemas/io.k8s.api.core.v1.ContainerPort"]],
                "limits": [
                    "type": "object",
                    "additionalProperties": ["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"],
                ],
                "maxSurge": ["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"],
                "data": ["type": "object", "additionalProperties": ["type": "string", "format": "byte"]],
                "raw": ["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.runtime.RawExtension"],
                "since": ["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time"],
            ],
        ],
        "io.k8s.api.core.v1.ContainerPort": [
            "type": "object", "required": ["containerPort"],
            "properties": ["containerPort": ["type": "integer", "format": "int32"], "name": ["type": "string"]],
        ],
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": [
            "type": "object",
            "properties": [
                "name": ["type": "string"],
                "labels": ["type": "object", "additionalProperties": ["type": "string"]],
            ],
        ],
        "io.k8s.apimachinery.pkg.api.resource.Quantity": ["format": "quantity", "oneOf": [["type": "string"], ["type": "number"]]],
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString": ["format": "int-or-string", "x-kubernetes-int-or-string": true],
        "io.k8s.apimachinery.pkg.runtime.RawExtension": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time": ["type": "string", "format": "date-time"],
    ])

    static var schema: OpenAPISchema { definitions.schema(named: "io.k8s.api.apps.v1.Deployment")! }

    func message(_ text: String) throws -> String? {
        let value = try json(text)
        do {
            _ = try Self.schema.decodeTyped(value)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func wrongTypesAreWordedAsGoWordsThem() throws {
        #expect(
            try message(#"{"spec": {"replicas": "3"}}"#)
                == "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32")
        #expect(
            try message(#"{"spec": {"replicas": 1.5}}"#)
                == "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32")
        #expect(
            try message(#"{"spec": {"replicas": 3000000000}}"#)
                == "json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32")
        #expect(
            try message(#"{"spec": "x"}"#)
                == "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec")
        #expect(
            try message(#"{"spec": {"ports": {"a": 1}}}"#)
                == "json: cannot unmarshal object into Go struct field DeploymentSpec.spec.ports of type []v1.ContainerPort")
        #expect(
            try message(#"{"spec": {"ports": [{"containerPort": "80"}]}}"#)
                == "json: cannot unmarshal string into Go struct field ContainerPort.spec.ports.containerPort of type int32")
        #expect(
            try message(#"{"metadata": {"labels": {"a": 5}}}"#)
                == "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string")
        #expect(
            try message(#"{"metadata": {"labels": []}}"#)
                == "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string")
        #expect(
            try message(#"{"spec": {"paused": "yes"}}"#)
                == "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool")
        #expect(
            try message(#"{"spec": {"maxSurge": true}}"#)
                == "json: cannot unmarshal bool into Go struct field DeploymentSpec.spec.maxSurge of type int32")
        #expect(
            try message(#"{"spec": {"since": 5}}"#)
                == "json: cannot unmarshal number into Go struct field DeploymentSpec.spec.since of type string")
        #expect(
            try message(#"{"spec": {"data": {"k": 5}}}"#)
                == "json: cannot unmarshal number into Go struct field DeploymentSpec.spec.data of type []uint8")
    }

    @Test func valuesGoParsesAreCheckedAsGoParsesThem() throws {
        #expect(
            try message(#"{"spec": {"limits": {"cpu": "abc"}}}"#)
                == "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
        #expect(try message(#"{"spec": {"limits": {"cpu": "5Qi"}}}"#) == GoTypes.quantityFormatMessage)
        #expect(try message(#"{"spec": {"limits": {"cpu": "5ki"}}}"#) == "unable to parse quantity's suffix")
        #expect(try message(#"{"spec": {"limits": {"cpu": true}}}"#) == GoTypes.quantityFormatMessage)
        #expect(try message(#"{"spec": {"data": {"k": "not base64!"}}}"#) == "illegal base64 data at input byte 3")
        #expect(try message(#"{"spec": {"data": {"k": "YWJj"}}}"#) == nil)
        #expect(try message(#"{"spec": {"since": "yesterday"}}"#)?.hasPrefix(#"parsing time "yesterday""#) == true)
        #expect(try message(#"{"spec": {"since": "2026-12-04T18:43:04Z"}}"#) == nil)
    }

    @Test(arguments: ["500m", "1", "1.5Gi", "2e3", "1E-3", "+5", "-1", "1.", ".5", "0", " 10Mi "])
    func quantitiesGoAccepts(_ text: String) {
        #expect(GoTypes.quantityProblem(text.trimmingCharacters(in: .whitespaces)) == nil, "\(text)")
    }

    @Test(arguments: [
        ("", "quantities"), ("abc", "quantities"), ("1Kb", "quantities"), ("1ki", "unable"), ("1e", "unable"),
        ("1 Gi", "quantities"), ("--1", "unable"),
    ])
    func quantitiesGoRefuses(_ text: String, _ start: String) {
        #expect(GoTypes.quantityProblem(text)?.hasPrefix(start) == true, "\(text)")
    }

    @Test(
        arguments: [
            ("", nil), ("YQ==", nil), ("YWI=", nil), ("YWJj", nil), ("YW\nJj", nil), ("YQ", 0), ("Y", 0),
            ("YQ=", 3), ("Y===", 1), ("YWJj=", 4), ("YQ==YQ==", 4), ("YW*j", 2),
        ] as [(String, Int?)])
    func base64AsGoDecodesIt(_ text: String, _ offset: Int?) {
        #expect(GoTypes.base64ErrorOffset(text) == offset, "\(text)")
    }

    @Test func acceptsWhatGoAcceptsAndDropsUnknownFieldsAtEveryDepth() throws {
        let decoded = try Self.schema.decodeTyped(
            try json(
                #"""
                {"apiVersion": "apps/v1", "kind": "Deployment", "extra": 1,
                 "metadata": {"name": "d", "labelz": {}, "labels": {"a": "b"}},
                 "spec": {"replicas": 3, "maxSurge": "25%", "limits": {"cpu": "500m", "memory": 1024.5},
                          "ports": [{"containerPort": 80, "hostPort": 1}, {}], "paused": null,
                          "raw": {"anything": [1, {"goes": true}]}, "since": "2026-12-04T18:43:04Z"}}
                """#))
        #expect(decoded.unknownFields == ["extra", "metadata.labelz", "spec.ports[0].hostPort"])
        #expect(
            decoded.object
                == (try json(
                    #"""
                    {"apiVersion": "apps/v1", "kind": "Deployment",
                     "metadata": {"name": "d", "labels": {"a": "b"}},
                     "spec": {"replicas": 3, "maxSurge": "25%", "limits": {"cpu": "500m", "memory": 1024.5},
                              "ports": [{"containerPort": 80}, {}],
                              "raw": {"anything": [1, {"goes": true}]}, "since": "2026-12-04T18:43:04Z"}}
                    """#)))
    }

    @Test func requiredAndEnumAreLeftToTheKindsOwnValidation() throws {
        // ContainerPort requires containerPort; Go's decoder does not care.
        #expect(try message(#"{"spec": {"ports": [{"name": "http"}]}}"#) == nil)
    }

    @Test func theFirstTypeErrorWinsOverUnknownFields() throws {
        #expect(try message(#"{"zzz": 1, "spec": {"replicas": "3", "bogus": 1}}"#)?.contains("spec.replicas") == true)
    }
}

import Foundation
import Testing

@testable import KubeModel

// MARK: - Test-only protobuf writer

/// A minimal protobuf encoder for building request bodies in tests.
struct ProtoWriter {
    private(set) var encoded: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            encoded.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        encoded.append(UInt8(rest))
    }

    mutating func tag(_ number: Int, wireType: UInt8) {
        varint(UInt64(number) << 3 | UInt64(wireType))
    }

    /// An int32, int64 or enum field (negative numbers take ten bytes, as Go writes them).
    mutating func int(_ number: Int, _ value: Int64) {
        tag(number, wireType: 0)
        varint(UInt64(bitPattern: value))
    }

    mutating func bool(_ number: Int, _ value: Bool) {
        int(number, value ? 1 : 0)
    }

    mutating func data(_ number: Int, _ value: [UInt8]) {
        tag(number, wireType: 2)
        varint(UInt64(value.count))
        encoded += value
    }

    mutating func string(_ number: Int, _ value: String) {
        data(number, Array(value.utf8))
    }

    mutating func fixed32(_ number: Int, _ value: UInt32) {
        tag(number, wireType: 5)
        for shift in stride(from: 0, to: 32, by: 8) { encoded.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func fixed64(_ number: Int, _ value: UInt64) {
        tag(number, wireType: 1)
        for shift in stride(from: 0, to: 64, by: 8) { encoded.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func message(_ number: Int, _ build: (inout ProtoWriter) -> Void = { _ in }) {
        var inner = ProtoWriter()
        build(&inner)
        data(number, inner.encoded)
    }

    /// A `map<string, string>` entry.
    mutating func entry(_ number: Int, _ key: String, _ value: String) {
        message(number) { entry in
            entry.string(1, key)
            entry.string(2, value)
        }
    }

    /// A `map<string, bytes>` entry.
    mutating func entry(_ number: Int, _ key: String, bytes value: [UInt8]) {
        message(number) { entry in
            entry.string(1, key)
            entry.data(2, value)
        }
    }

    /// A `map<string, Quantity>` entry.
    mutating func quantityEntry(_ number: Int, _ key: String, _ value: String) {
        message(number) { entry in
            entry.string(1, key)
            entry.message(2) { $0.string(1, value) }
        }
    }

    /// A `meta/v1.Time` or `MicroTime` (a Timestamp).
    mutating func time(_ number: Int, seconds: Int64, nanos: Int32 = 0) {
        message(number) { timestamp in
            timestamp.int(1, seconds)
            timestamp.int(2, Int64(nanos))
        }
    }

    /// An `intstr.IntOrString` holding a number.
    mutating func intOrString(_ number: Int, int value: Int32) {
        message(number) { union in
            union.int(1, 0)
            union.int(2, Int64(value))
            union.string(3, "")
        }
    }

    /// An `intstr.IntOrString` holding a name.
    mutating func intOrString(_ number: Int, string value: String) {
        message(number) { union in
            union.int(1, 1)
            union.int(2, 0)
            union.string(3, value)
        }
    }
}

/// A whole request body: `k8s\0` + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}.
func kubernetesBody(
    apiVersion: String, kind: String, contentEncoding: String = "", contentType: String = "",
    _ build: (inout ProtoWriter) -> Void
) -> [UInt8] {
    var object = ProtoWriter()
    build(&object)
    var unknown = ProtoWriter()
    unknown.message(1) { typeMeta in
        typeMeta.string(1, apiVersion)
        typeMeta.string(2, kind)
    }
    unknown.data(2, object.encoded)
    unknown.string(3, contentEncoding)
    unknown.string(4, contentType)
    return [0x6B, 0x38, 0x73, 0x00] + unknown.encoded
}

/// Bytes from a hex dump.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8)
    return stride(from: 0, to: digits.count - 1, by: 2).map { index in
        UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) ?? 0
    }
}

/// Decodes `body` and records a test failure (with the decoder's message) when it is refused.
func decodeBody(_ body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
    do {
        return try KubernetesProtobuf.decode(body)
    } catch {
        Issue.record("decoding failed: \(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// Decodes `body` and expects exactly the JSON document `expected`.
func expectDecodes(_ body: [UInt8], to expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let expectedValue = try json(expected, sourceLocation: sourceLocation)
    let decoded = try decodeBody(body, sourceLocation: sourceLocation)
    #expect(decoded == expectedValue, sourceLocation: sourceLocation)
}

/// The error `decode` throws for `body`, or nil (recorded as a failure) when it succeeds.
func decodingError(_ body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> ProtobufDecodingError? {
    do {
        let value = try KubernetesProtobuf.decode(body)
        Issue.record("expected an error, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// The ObjectMeta kubectl writes for a new object: every string present but empty,
/// generation 0 and an empty creationTimestamp.
func kubectlMetadata(
    _ writer: inout ProtoWriter, name: String, namespace: String = "",
    extra: (inout ProtoWriter) -> Void = { _ in }
) {
    writer.message(1) { meta in
        meta.string(1, name)
        meta.string(2, "")
        meta.string(3, namespace)
        meta.string(4, "")
        meta.string(5, "")
        meta.string(6, "")
        meta.int(7, 0)
        meta.message(8)
        extra(&meta)
    }
}

// MARK: - Wire format

@Suite struct ProtobufWireReaderTests {
    private func reader(_ bytes: [UInt8]) -> ProtobufWireReader {
        ProtobufWireReader(bytes: bytes, range: 0..<bytes.count)
    }

    @Test func readsEveryWireType() throws {
        var writer = ProtoWriter()
        writer.int(1, 150)
        writer.fixed64(2, 0x0102_0304_0506_0708)
        writer.string(3, "hi")
        writer.fixed32(4, 0xDEAD_BEEF)
        writer.int(536_870_911, -1)
        var reader = reader(writer.encoded)
        var fields: [ProtobufWireField] = []
        while let field = try reader.nextField() { fields.append(field) }
        #expect(fields.map(\.number) == [1, 2, 3, 4, 536_870_911])
        guard fields.count == 5 else { return }
        if case .varint(let value) = fields[0].value { #expect(value == 150) } else { Issue.record("not a varint") }
        if case .fixed64(let value) = fields[1].value { #expect(value == 0x0102_0304_0506_0708) } else { Issue.record("not fixed64") }
        if case .lengthDelimited(let range) = fields[2].value { #expect(range == 14..<16) } else { Issue.record("not bytes") }
        if case .fixed32(let value) = fields[3].value { #expect(value == 0xDEAD_BEEF) } else { Issue.record("not fixed32") }
        if case .varint(let value) = fields[4].value { #expect(value == UInt64.max) } else { Issue.record("not a varint") }
        #expect(fields.map(\.offset) == [0, 3, 12, 16, 21])
    }

    @Test func skipsGroupsAsWholeFields() throws {
        // field 5 start-group { field 1 varint 7, field 6 start-group {} end 6 } end 5, field 2 varint 1
        let bytes: [UInt8] = [0x2B, 0x08, 0x07, 0x33, 0x34, 0x2C, 0x10, 0x01]
        var reader = reader(bytes)
        let group = try reader.nextField()
        #expect(group?.number == 5)
        if case .group(let range) = group?.value { #expect(range == 1..<5) } else { Issue.record("not a group") }
        #expect(try reader.nextField()?.number == 2)
        #expect(try reader.nextField() == nil)
    }

    @Test func reportsMalformedInputWithItsOffset() throws {
        let cases: [([UInt8], ProtobufDecodingError.Code, Int, String)] = [
            ([0x08], .truncated, 1, "varint runs past the end of the data"),
            ([0x08, 0x96], .truncated, 1, "varint runs past the end of the data"),
            ([0x08] + Array(repeating: 0xFF, count: 9) + [0x02], .malformedVarint, 1, "varint overflows 64 bits"),
            ([0x08] + Array(repeating: 0x80, count: 10) + [0x00], .malformedVarint, 1, "varint longer than 10 bytes"),
            ([0x0A, 0x05, 0x61], .truncated, 1, "length-delimited field 1 claims 5 bytes but only 1 remain"),
            ([0x08, 0x01, 0x0E], .invalidTag, 2, "invalid wire type 6"),
            ([0x0F], .invalidTag, 0, "invalid wire type 7"),
            ([0x00, 0x01], .invalidTag, 0, "invalid field number 0"),
            ([0x0C], .invalidTag, 0, "end-group tag for field 1 without a matching start-group"),
            ([0x0B, 0x08, 0x01], .truncated, 0, "group 1 has no end-group tag"),
            ([0x0B, 0x14], .invalidTag, 1, "end-group tag for field 2 inside group 1"),
            ([0x09, 0x01, 0x02], .truncated, 1, "64-bit field runs past the end of the data"),
            ([0x0D, 0x01], .truncated, 1, "32-bit field runs past the end of the data"),
        ]
        for (bytes, code, offset, message) in cases {
            var reader = reader(bytes)
            do {
                while try reader.nextField() != nil {}
                Issue.record("no error for \(bytes)")
            } catch {
                #expect(error.code == code, "\(bytes)")
                #expect(error.offset == offset, "\(bytes)")
                #expect(error.message == message, "\(bytes)")
            }
        }
    }

    @Test func refusesGroupsNestedTooDeeply() throws {
        let depth = ProtobufWireReader.maximumGroupDepth + 2
        let bytes = Array(repeating: UInt8(0x0B), count: depth) + Array(repeating: UInt8(0x0C), count: depth)
        var reader = reader(bytes)
        #expect(throws: ProtobufDecodingError.self) { while try reader.nextField() != nil {} }
    }
}

// MARK: - Timestamps

@Suite struct RFC3339TimestampTests {
    @Test func formatsTimesAndMicroTimesInUTC() {
        #expect(RFC3339Timestamp.format(seconds: 1_795_435_200, nanoseconds: 0, microseconds: false) == "2026-11-23T12:00:00Z")
        #expect(RFC3339Timestamp.format(seconds: 0, nanoseconds: 0, microseconds: false) == "1970-01-01T00:00:00Z")
        #expect(RFC3339Timestamp.format(seconds: -1, nanoseconds: 0, microseconds: false) == "1969-12-31T23:59:59Z")
        #expect(RFC3339Timestamp.format(seconds: 1_709_251_199, nanoseconds: 0, microseconds: false) == "2024-02-29T23:59:59Z")
        #expect(RFC3339Timestamp.format(seconds: 951_868_800, nanoseconds: 0, microseconds: false) == "2000-03-01T00:00:00Z")
        #expect(RFC3339Timestamp.format(seconds: -2_203_977_600, nanoseconds: 0, microseconds: false) == "1900-02-28T00:00:00Z")
        #expect(RFC3339Timestamp.format(seconds: -62_135_596_800, nanoseconds: 0, microseconds: false) == "0001-01-01T00:00:00Z")
        #expect(RFC3339Timestamp.format(seconds: 253_402_300_799, nanoseconds: 0, microseconds: false) == "9999-12-31T23:59:59Z")
        #expect(
            RFC3339Timestamp.format(seconds: 1_795_435_200, nanoseconds: 123_456_789, microseconds: true)
                == "2026-11-23T12:00:00.123456Z")
        #expect(
            RFC3339Timestamp.format(seconds: 1_795_435_200, nanoseconds: 0, microseconds: true)
                == "2026-11-23T12:00:00.000000Z")
        // Out-of-range nanoseconds carry into the seconds, as Go's time.Unix does.
        #expect(
            RFC3339Timestamp.format(seconds: 1_795_435_200, nanoseconds: -1_000, microseconds: true)
                == "2026-11-23T11:59:59.999999Z")
        #expect(
            RFC3339Timestamp.format(seconds: 1_795_435_199, nanoseconds: 1_500_000_000, microseconds: true)
                == "2026-11-23T12:00:00.500000Z")
    }

    @Test func refusesYearsJSONCannotHold() {
        #expect(RFC3339Timestamp.format(seconds: 253_402_300_800, nanoseconds: 0, microseconds: false) == nil)
        #expect(RFC3339Timestamp.format(seconds: -62_167_219_201, nanoseconds: 0, microseconds: false) == nil)
        #expect(RFC3339Timestamp.format(seconds: Int64.max, nanoseconds: 999_999_999_999, microseconds: true) == nil)
        #expect(RFC3339Timestamp.format(seconds: Int64.min, nanoseconds: -1, microseconds: true) == nil)
    }

    private func parsed(_ text: String) -> [Int64]? {
        RFC3339Timestamp.parse(text).map { [$0.seconds, $0.nanoseconds] }
    }

    @Test func parsesWhatItFormatsAndOffsets() throws {
        for seconds: Int64 in [0, -1, 951_868_800, 1_709_251_199, 1_795_435_200, -2_203_977_600, -62_135_596_800, 253_402_300_799] {
            let text = try #require(RFC3339Timestamp.format(seconds: seconds, nanoseconds: 123_456_000, microseconds: true))
            #expect(parsed(text) == [seconds, 123_456_000], "\(text)")
            let plain = try #require(RFC3339Timestamp.format(seconds: seconds, nanoseconds: 0, microseconds: false))
            #expect(parsed(plain) == [seconds, 0], "\(plain)")
        }
        #expect(parsed("2026-11-23T13:30:00+01:30") == [1_795_435_200, 0])
        #expect(parsed("2026-11-23T10:00:00.5-02:00") == [1_795_435_200, 500_000_000])
        #expect(parsed("2026-11-23t12:00:00.123456789z") == [1_795_435_200, 123_456_789])
        // Agrees with Foundation where both read the text.
        let foundation = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse("2026-12-03T12:13:03.250Z")
        #expect(Timestamp.date("2026-12-03T12:13:03.250Z") == foundation)
    }

    @Test func parseRefusesWhatIsNotRFC3339() {
        for text in [
            "", "2026-11-23", "2026-11-23T12:00:00", "2026-11-23 12:00:00Z", "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T12:60:00Z",
            "2026-11-23T12:00:00.Z", "2026-11-23T12:00:00.1234567891Z", "2026-11-23T12:00:00Zjunk",
            "2026-11-23T12:00:00+0100", "26-11-23T12:00:00Z", "2026-11-23T12:00:00+24:00",
        ] {
            #expect(RFC3339Timestamp.parse(text) == nil, "\(text)")
        }
        #expect(RFC3339Timestamp.parse("2024-02-29T00:00:00Z") != nil)
    }
}

// MARK: - Envelope and errors

@Suite struct KubernetesProtobufEnvelopeTests {
    @Test func matchesTheMediaType() {
        #expect(KubernetesProtobuf.mediaType == "application/vnd.kubernetes.protobuf")
        #expect(KubernetesProtobuf.matches(contentType: "application/vnd.kubernetes.protobuf"))
        #expect(KubernetesProtobuf.matches(contentType: "Application/VND.Kubernetes.Protobuf; charset=utf-8"))
        #expect(!KubernetesProtobuf.matches(contentType: "application/json"))
        #expect(!KubernetesProtobuf.matches(contentType: "application/vnd.kubernetes.protobuf+json"))
    }

    @Test func listsTheKindsItSupports() {
        let kinds = KubernetesProtobuf.supportedKinds.map { "\($0.apiVersion) \($0.kind)" }
        #expect(
            kinds == [
                "apps/v1 DaemonSet", "apps/v1 Deployment", "apps/v1 ReplicaSet", "apps/v1 StatefulSet",
                "authentication.k8s.io/v1 TokenRequest", "authorization.k8s.io/v1 SelfSubjectAccessReview",
                "authorization.k8s.io/v1 SelfSubjectRulesReview",
                "batch/v1 CronJob", "batch/v1 Job", "coordination.k8s.io/v1 Lease",
                "networking.k8s.io/v1 Ingress", "networking.k8s.io/v1 IngressClass", "networking.k8s.io/v1 NetworkPolicy",
                "policy/v1 PodDisruptionBudget",
                "rbac.authorization.k8s.io/v1 ClusterRole", "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
                "rbac.authorization.k8s.io/v1 Role", "rbac.authorization.k8s.io/v1 RoleBinding",
                "scheduling.k8s.io/v1 PriorityClass", "v1 Binding", "v1 ConfigMap", "v1 Event", "v1 Namespace",
                "v1 Pod", "v1 PodTemplate", "v1 ReplicationController",
                "v1 ResourceQuota", "v1 Secret", "v1 Service", "v1 ServiceAccount",
            ])
        #expect(KubernetesProtobuf.supports(apiVersion: "v1", kind: "ConfigMap"))
        #expect(KubernetesProtobuf.supports(apiVersion: "apps/v1", kind: "Deployment"))
        #expect(!KubernetesProtobuf.supports(apiVersion: "apps/v1", kind: "ControllerRevision"))
        #expect(!KubernetesProtobuf.supports(apiVersion: "events.k8s.io/v1", kind: "Event"))
    }

    @Test func refusesBodiesWithoutTheMagic() {
        for body: [UInt8] in [[], [0x6B, 0x38, 0x73], Array("{\"kind\":\"ConfigMap\"}".utf8), [0x6B, 0x38, 0x73, 0x01, 0x0A, 0x00]] {
            let error = decodingError(body)
            #expect(error?.code == .notKubernetesProtobuf)
            #expect(error?.offset == 0)
        }
    }

    @Test func refusesKindsWithoutASchemaAskingForJSON() {
        let body = kubernetesBody(apiVersion: "apps/v1", kind: "ControllerRevision") { kubectlMetadata(&$0, name: "d") }
        let error = decodingError(body)
        #expect(error?.isUnsupportedKind == true)
        #expect(error?.kind == "ControllerRevision")
        #expect(error?.apiVersion == "apps/v1")
        #expect(error?.message == "protobuf bodies of kind ControllerRevision (apps/v1) are not supported; send JSON")
        #expect(error?.description == "protobuf bodies of kind ControllerRevision (apps/v1) are not supported; send JSON")
    }

    @Test func refusesACoreKindUnderAnotherGroup() {
        let body = kubernetesBody(apiVersion: "events.k8s.io/v1", kind: "Event") { kubectlMetadata(&$0, name: "e") }
        #expect(decodingError(body)?.code == .unsupportedKind)
    }

    @Test func refusesEnvelopesWithoutAKind() {
        let body = kubernetesBody(apiVersion: "v1", kind: "") { kubectlMetadata(&$0, name: "x") }
        #expect(decodingError(body)?.code == .missingTypeInformation)
    }

    @Test func refusesEncodedOrForeignContent() throws {
        let gzip = kubernetesBody(apiVersion: "v1", kind: "ConfigMap", contentEncoding: "gzip") { _ in }
        #expect(decodingError(gzip)?.code == .unsupportedEncoding)
        let jsonContent = kubernetesBody(apiVersion: "v1", kind: "ConfigMap", contentType: "application/json") { _ in }
        #expect(decodingError(jsonContent)?.code == .unsupportedEncoding)
        let explicit = kubernetesBody(apiVersion: "v1", kind: "ConfigMap", contentType: KubernetesProtobuf.mediaType) {
            kubectlMetadata(&$0, name: "x")
        }
        try expectDecodes(explicit, to: #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}"#)
    }

    @Test func acceptsAnEnvelopeWithoutRawBytes() throws {
        var unknown = ProtoWriter()
        unknown.message(1) {
            $0.string(1, "v1")
            $0.string(2, "ConfigMap")
        }
        try expectDecodes([0x6B, 0x38, 0x73, 0x00] + unknown.encoded, to: #"{"apiVersion": "v1", "kind": "ConfigMap"}"#)
    }

    @Test func skipsUnknownEnvelopeAndObjectFields() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "ConfigMap") { object in
            object.fixed64(99, 7)
            kubectlMetadata(&object, name: "x") { meta in
                meta.fixed32(15, 1)
                meta.string(1000, "future field")
            }
            object.int(50, 1)
        }
        try expectDecodes(body + [0x28, 0x01], to: #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}"#)
    }

    @Test func reportsWrongWireTypesWithFieldPathAndOffset() {
        let body = kubernetesBody(apiVersion: "v1", kind: "Service") { object in
            object.message(2) { spec in
                spec.message(1) { port in
                    port.string(1, "http")
                    port.string(3, "eighty")
                }
            }
        }
        let error = decodingError(body)
        #expect(error?.code == .unexpectedWireType)
        #expect(error?.field == "spec.ports[0].port")
        #expect(error?.kind == "Service")
        #expect(error?.apiVersion == "v1")
        if let offset = error?.offset { #expect(body[offset] == 0x1A) } else { Issue.record("no offset") }
        #expect(error?.message == "field 3 should be varint but is length-delimited")
        #expect(
            error?.description.hasPrefix("field 3 should be varint but is length-delimited (at field spec.ports[0].port, byte ") == true)
    }

    @Test func reportsTruncatedNestedMessagesWithAbsoluteOffsets() {
        var body = kubernetesBody(apiVersion: "v1", kind: "ConfigMap") { object in
            object.message(1) { meta in meta.string(1, "abc") }
        }
        // The body ends: 0a 03 'a' 'b' 'c' | 1a 00 22 00 (empty contentEncoding and contentType).
        // Make the name's length overrun its message.
        let nameLengthOffset = body.count - 8
        #expect(body[nameLengthOffset] == 0x03)
        body[nameLengthOffset] = 0x09
        let error = decodingError(body)
        #expect(error?.code == .truncated)
        #expect(error?.offset == nameLengthOffset)
    }

    @Test func refusesUnknownIntOrStringTypesAndImpossibleTimes() throws {
        let badUnion = kubernetesBody(apiVersion: "v1", kind: "Service") { object in
            object.message(2) { spec in
                spec.message(1) { port in
                    port.message(4) { $0.int(1, 2) }
                }
            }
        }
        let unionError = decodingError(badUnion)
        #expect(unionError?.code == .invalidValue)
        #expect(unionError?.field == "spec.ports[0].targetPort")

        let badTime = kubernetesBody(apiVersion: "v1", kind: "ConfigMap") { object in
            object.message(1) { $0.time(9, seconds: 300_000_000_000) }
        }
        let timeError = decodingError(badTime)
        #expect(timeError?.code == .invalidValue)
        #expect(timeError?.field == "metadata.deletionTimestamp")
    }
}

// MARK: - Kinds, built with the test writer

@Suite struct KubernetesProtobufKindTests {
    @Test func decodesObjectMetaInFull() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "ConfigMap") { object in
            object.message(1) { meta in
                meta.string(1, "")
                meta.string(2, "cfg-")
                meta.string(3, "prod")
                meta.string(4, "")
                meta.string(5, "0c1d2e3f-0000-4000-8000-000000000001")
                meta.string(6, "42")
                meta.int(7, 3)
                meta.time(8, seconds: 1_795_435_200, nanos: 999_000_000)
                meta.time(9, seconds: 1_795_435_230)
                meta.int(10, 0)
                meta.entry(11, "app", "web")
                meta.entry(11, "tier", "")
                meta.entry(12, "note", "a \"quoted\" value")
                meta.message(13) { owner in
                    owner.string(1, "Deployment")
                    owner.string(3, "web")
                    owner.string(4, "uid-1")
                    owner.string(5, "apps/v1")
                    owner.bool(6, true)
                    owner.bool(7, false)
                }
                meta.message(13) { owner in
                    owner.string(1, "Namespace")
                    owner.string(3, "prod")
                    owner.string(4, "uid-2")
                    owner.string(5, "")
                }
                meta.string(14, "example.com/cleanup")
                meta.string(14, "")
                meta.message(17) { entry in
                    entry.string(1, "kubectl")
                    entry.string(2, "Update")
                }
            }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
                    "generateName": "cfg-", "namespace": "prod", "uid": "0c1d2e3f-0000-4000-8000-000000000001",
                    "resourceVersion": "42", "generation": 3,
                    "creationTimestamp": "2026-11-23T12:00:00Z", "deletionTimestamp": "2026-11-23T12:00:30Z",
                    "deletionGracePeriodSeconds": 0,
                    "labels": {"app": "web", "tier": ""}, "annotations": {"note": "a \"quoted\" value"},
                    "ownerReferences": [
                        {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "uid-1",
                         "controller": true, "blockOwnerDeletion": false},
                        {"apiVersion": "", "kind": "Namespace", "name": "prod", "uid": "uid-2"}],
                    "finalizers": ["example.com/cleanup", ""]}}
                """#)
    }

    @Test func decodesConfigMapDataBinaryDataAndImmutable() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "ConfigMap") { object in
            kubectlMetadata(&object, name: "settings", namespace: "default")
            object.entry(2, "app.properties", "color=blue\nsize=10\n")
            object.entry(2, "empty", "")
            object.entry(3, "logo.png", bytes: [0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF])
            object.entry(3, "nothing", bytes: [])
            object.bool(4, false)
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "settings", "namespace": "default"},
                 "data": {"app.properties": "color=blue\nsize=10\n", "empty": ""},
                 "binaryData": {"logo.png": "iVBORwD/", "nothing": ""},
                 "immutable": false}
                """#)
    }

    @Test func decodesSecrets() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "Secret") { object in
            kubectlMetadata(&object, name: "creds")
            object.entry(2, "password", bytes: Array("s3cr3t".utf8))
            object.entry(2, "blob", bytes: [0x00, 0x01, 0xFE, 0xFF])
            object.string(3, "Opaque")
            object.entry(4, "user", "admin")
            object.bool(5, true)
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"},
                 "data": {"password": "czNjcjN0", "blob": "AAH+/w=="}, "type": "Opaque",
                 "stringData": {"user": "admin"}, "immutable": true}
                """#)
    }

    @Test func decodesNamespaces() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "Namespace") { object in
            kubectlMetadata(&object, name: "team-a")
            object.message(2) { spec in spec.string(1, "kubernetes") }
            object.message(3) { status in
                status.string(1, "Terminating")
                status.message(2) { condition in
                    condition.string(1, "NamespaceDeletionContentFailure")
                    condition.string(2, "False")
                    condition.time(4, seconds: 1_795_435_200)
                    condition.string(5, "ContentDeleted")
                    condition.string(6, "")
                }
            }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"},
                 "spec": {"finalizers": ["kubernetes"]},
                 "status": {"phase": "Terminating", "conditions": [
                    {"type": "NamespaceDeletionContentFailure", "status": "False",
                     "lastTransitionTime": "2026-11-23T12:00:00Z", "reason": "ContentDeleted"}]}}
                """#)
    }

    @Test func decodesServiceAccountsKeepingAFalseAutomount() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "ServiceAccount") { object in
            kubectlMetadata(&object, name: "builder")
            object.message(2) { ref in
                ref.string(1, "Secret")
                ref.string(3, "builder-token")
            }
            object.message(3) { $0.string(1, "registry") }
            object.message(3) { $0.string(1, "") }
            object.bool(4, false)
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder"},
                 "secrets": [{"kind": "Secret", "name": "builder-token"}],
                 "imagePullSecrets": [{"name": "registry"}, {}],
                 "automountServiceAccountToken": false}
                """#)
    }

    @Test func decodesServices() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "Service") { object in
            kubectlMetadata(&object, name: "web")
            object.message(2) { spec in
                spec.message(1) { port in
                    port.string(1, "http")
                    port.string(2, "TCP")
                    port.int(3, 80)
                    port.intOrString(4, int: 8080)
                    port.int(5, 30080)
                }
                spec.message(1) { port in
                    port.string(1, "grpc")
                    port.string(2, "TCP")
                    port.int(3, 0)
                    port.intOrString(4, string: "grpc-port")
                    port.int(5, 0)
                    port.string(6, "kubernetes.io/h2c")
                }
                spec.entry(2, "app", "web")
                spec.string(3, "10.96.0.10")
                spec.string(4, "NodePort")
                spec.string(5, "192.0.2.1")
                spec.string(7, "ClientIP")
                spec.string(8, "")
                spec.string(9, "10.0.0.0/8")
                spec.string(10, "")
                spec.string(11, "Local")
                spec.int(12, 0)
                spec.bool(13, true)
                spec.message(14) { config in config.message(1) { $0.int(1, 10800) } }
                spec.string(17, "SingleStack")
                spec.string(18, "10.96.0.10")
                spec.string(19, "IPv4")
                spec.bool(20, false)
                spec.string(22, "Cluster")
                spec.string(23, "PreferClose")
            }
            object.message(3) { status in
                status.message(1) { loadBalancer in
                    loadBalancer.message(1) { ingress in
                        ingress.string(1, "203.0.113.7")
                        ingress.string(3, "VIP")
                        ingress.message(4) { port in
                            port.int(1, 80)
                            port.string(2, "TCP")
                        }
                    }
                }
                status.message(2) { condition in
                    condition.string(1, "LoadBalancerReady")
                    condition.string(2, "True")
                    condition.int(3, 2)
                    condition.time(4, seconds: 1_795_435_200)
                    condition.string(5, "Provisioned")
                    condition.string(6, "")
                }
            }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                 "spec": {
                    "ports": [
                        {"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080, "nodePort": 30080},
                        {"name": "grpc", "protocol": "TCP", "port": 0, "targetPort": "grpc-port",
                         "appProtocol": "kubernetes.io/h2c"}],
                    "selector": {"app": "web"}, "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                    "type": "NodePort", "externalIPs": ["192.0.2.1"], "sessionAffinity": "ClientIP",
                    "loadBalancerSourceRanges": ["10.0.0.0/8"], "externalTrafficPolicy": "Local",
                    "publishNotReadyAddresses": true,
                    "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
                    "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"],
                    "allocateLoadBalancerNodePorts": false, "internalTrafficPolicy": "Cluster",
                    "trafficDistribution": "PreferClose"},
                 "status": {
                    "loadBalancer": {"ingress": [{"ip": "203.0.113.7", "ipMode": "VIP",
                                                  "ports": [{"port": 80, "protocol": "TCP"}]}]},
                    "conditions": [{"type": "LoadBalancerReady", "status": "True", "observedGeneration": 2,
                                    "lastTransitionTime": "2026-11-23T12:00:00Z", "reason": "Provisioned",
                                    "message": ""}]}}
                """#)
    }

    @Test func decodesExternalNameServices() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "Service") { object in
            kubectlMetadata(&object, name: "db")
            object.message(2) { spec in
                spec.string(4, "ExternalName")
                spec.string(10, "db.example.com")
            }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"},
                 "spec": {"type": "ExternalName", "externalName": "db.example.com"}}
                """#)
    }

    @Test func decodesResourceQuotas() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "ResourceQuota") { object in
            kubectlMetadata(&object, name: "compute")
            object.message(2) { spec in
                spec.quantityEntry(1, "cpu", "1500m")
                spec.quantityEntry(1, "memory", "1Gi")
                spec.message(1) { entry in
                    entry.string(1, "pods")
                    entry.message(2)
                }
                spec.string(2, "NotBestEffort")
                spec.message(3) { selector in
                    selector.message(1) { requirement in
                        requirement.string(1, "PriorityClass")
                        requirement.string(2, "In")
                        requirement.string(3, "high")
                        requirement.string(3, "medium")
                    }
                }
            }
            object.message(3) { status in
                status.quantityEntry(1, "cpu", "1500m")
                status.quantityEntry(2, "cpu", "250m")
            }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "compute"},
                 "spec": {"hard": {"cpu": "1500m", "memory": "1Gi", "pods": "0"}, "scopes": ["NotBestEffort"],
                          "scopeSelector": {"matchExpressions": [
                              {"scopeName": "PriorityClass", "operator": "In", "values": ["high", "medium"]}]}},
                 "status": {"hard": {"cpu": "1500m"}, "used": {"cpu": "250m"}}}
                """#)
    }

    @Test func decodesEvents() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "Event") { object in
            kubectlMetadata(&object, name: "web-1.187a", namespace: "default")
            object.message(2) { ref in
                ref.string(1, "Pod")
                ref.string(2, "default")
                ref.string(3, "web-1")
                ref.string(4, "uid-9")
                ref.string(5, "v1")
                ref.string(6, "77")
                ref.string(7, "spec.containers{app}")
            }
            object.string(3, "Pulled")
            object.string(4, "Container image pulled")
            object.message(5) { source in
                source.string(1, "kubelet")
                source.string(2, "node-1")
            }
            object.time(6, seconds: 1_795_435_200)
            object.time(7, seconds: 1_795_435_260, nanos: 500)
            object.int(8, 2)
            object.string(9, "Normal")
            object.time(10, seconds: 1_795_435_200, nanos: 123_456_789)
            object.message(11) { series in
                series.int(1, 5)
                series.time(2, seconds: 1_795_435_261, nanos: 1_000)
            }
            object.string(12, "Pulling")
            object.message(13) { ref in
                ref.string(1, "Node")
                ref.string(3, "node-1")
            }
            object.string(14, "kubelet")
            object.string(15, "")
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web-1.187a", "namespace": "default"},
                 "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-1", "uid": "uid-9",
                                    "apiVersion": "v1", "resourceVersion": "77", "fieldPath": "spec.containers{app}"},
                 "reason": "Pulled", "message": "Container image pulled",
                 "source": {"component": "kubelet", "host": "node-1"},
                 "firstTimestamp": "2026-11-23T12:00:00Z", "lastTimestamp": "2026-11-23T12:01:00Z",
                 "count": 2, "type": "Normal", "eventTime": "2026-11-23T12:00:00.123456Z",
                 "series": {"count": 5, "lastObservedTime": "2026-11-23T12:01:01.000001Z"},
                 "action": "Pulling", "related": {"kind": "Node", "name": "node-1"},
                 "reportingComponent": "kubelet", "reportingInstance": ""}
                """#)
    }

    @Test func decodesLeasesWithMicrosecondTimes() throws {
        let body = kubernetesBody(apiVersion: "coordination.k8s.io/v1", kind: "Lease") { object in
            kubectlMetadata(&object, name: "controller-leader", namespace: "virtyard-system")
            object.message(2) { spec in
                spec.string(1, "controller-7d9f")
                spec.int(2, 15)
                spec.time(3, seconds: 1_795_435_200, nanos: 250_000)
                spec.time(4, seconds: 1_795_435_210, nanos: 999_999_999)
                spec.int(5, 0)
            }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                 "metadata": {"name": "controller-leader", "namespace": "virtyard-system"},
                 "spec": {"holderIdentity": "controller-7d9f", "leaseDurationSeconds": 15,
                          "acquireTime": "2026-11-23T12:00:00.000250Z", "renewTime": "2026-11-23T12:00:10.999999Z",
                          "leaseTransitions": 0}}
                """#)
    }

    @Test func decodesBindings() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "Binding") { object in
            kubectlMetadata(&object, name: "web-1", namespace: "default")
            object.message(2) { target in
                target.string(1, "Node")
                target.string(3, "node-1")
                target.string(5, "v1")
            }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web-1", "namespace": "default"},
                 "target": {"kind": "Node", "name": "node-1", "apiVersion": "v1"}}
                """#)
    }

    @Test func decodesPriorityClassesKeepingAZeroValue() throws {
        let body = kubernetesBody(apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass") { object in
            kubectlMetadata(&object, name: "background")
            object.int(2, 0)
            object.bool(3, false)
            object.string(4, "")
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "background"},
                 "value": 0}
                """#)
    }

    @Test func decodesNegativeInt32AndInt64Values() throws {
        let body = kubernetesBody(apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass") { object in
            object.message(1) { $0.int(7, -5) }
            object.int(2, -1000)
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"generation": -5},
                 "value": -1000}
                """#)
    }

    @Test func decodesTokenRequests() throws {
        let body = kubernetesBody(apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest") { object in
            kubectlMetadata(&object, name: "")
            object.message(2) { spec in
                spec.string(1, "https://kubernetes.default.svc")
                spec.message(3) { ref in
                    ref.string(1, "Pod")
                    ref.string(2, "v1")
                    ref.string(3, "web-1")
                    ref.string(4, "uid-1")
                }
                spec.int(4, 3600)
            }
            object.message(3) { status in
                status.string(1, "")
                status.message(2)
            }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": {},
                 "spec": {"audiences": ["https://kubernetes.default.svc"],
                          "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "web-1", "uid": "uid-1"},
                          "expirationSeconds": 3600},
                 "status": {"token": ""}}
                """#)
    }

    @Test func decodesSelfSubjectAccessReviews() throws {
        // What `kubectl auth can-i create pods -n demo` sends.
        let body = kubernetesBody(apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview") { object in
            kubectlMetadata(&object, name: "")
            object.message(2) { spec in
                spec.message(1) { attributes in
                    attributes.string(1, "demo")
                    attributes.string(2, "create")
                    attributes.string(5, "pods")
                }
            }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "metadata": {},
                 "spec": {"resourceAttributes": {"namespace": "demo", "verb": "create", "resource": "pods"}}}
                """#)
    }

    @Test func followsProtobufRulesForRepeatedOccurrences() throws {
        // A singular scalar seen twice: the last wins (even when it is zero).
        // A singular message seen twice: the occurrences merge.
        // A map key seen twice: the last entry wins.
        let body = kubernetesBody(apiVersion: "v1", kind: "ConfigMap") { object in
            object.message(1) { meta in
                meta.string(1, "first")
                meta.entry(11, "a", "1")
            }
            object.message(1) { meta in
                meta.string(1, "second")
                meta.entry(11, "b", "2")
                meta.entry(11, "a", "3")
            }
            object.bool(4, true)
            object.bool(4, false)
            object.message(2) { entry in
                entry.string(1, "k")
                entry.string(2, "old")
                entry.string(2, "new")
            }
            object.message(2) { entry in entry.string(2, "no key") }
            object.message(2) { entry in entry.string(1, "no value") }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "second", "labels": {"a": "3", "b": "2"}},
                 "data": {"k": "new", "": "no key", "no value": ""}, "immutable": false}
                """#)
    }

    @Test func convertsPackedAndUnpackedRepeatedNumbers() throws {
        // The kinds above carry no repeated numbers, so exercise the converter directly.
        let schema = ProtobufMessageSchema(
            "test.Numbers",
            [
                ProtobufFieldSchema(number: 1, jsonName: "ints", type: .repeated(.int32), presence: .omitEmpty),
                ProtobufFieldSchema(number: 2, jsonName: "flags", type: .repeated(.bool), presence: .omitEmpty),
                ProtobufFieldSchema(number: 3, jsonName: "times", type: .repeated(.time), presence: .omitEmpty),
            ])
        var writer = ProtoWriter()
        writer.int(1, 7)
        var packed = ProtoWriter()
        packed.varint(UInt64(bitPattern: -2))
        packed.varint(300)
        writer.data(1, packed.encoded)
        writer.int(1, 0)
        writer.data(2, [0x01, 0x00])
        writer.time(3, seconds: 1_795_435_200)
        writer.message(3)
        let converter = ProtobufJSONConverter(bytes: writer.encoded, messages: ["test.Numbers": schema])
        let object = try converter.object("test.Numbers", segments: [0..<writer.encoded.count], path: "")
        let expected = try json(#"{"ints": [7, -2, 300, 0], "flags": [true, false], "times": ["2026-11-23T12:00:00Z", null]}"#)
        #expect(JSONValue.object(object) == expected)
    }
}

// MARK: - Bodies captured from kubectl v1.32

/// Request bodies recorded from `kubectl v1.32.4` run against a stub HTTP server (plain
/// http, kubeconfig without credentials) that served discovery for the core group,
/// scheduling.k8s.io and apps, and logged every POST body. The expected JSON is what
/// `kubectl create … --dry-run=client -o json` prints for the same command, minus
/// `"creationTimestamp": null` (a zero time is left out).
@Suite struct KubectlCapturedBodyTests {
    static let fixtures: [(command: String, hex: String, expected: String)] = [
        (
            "kubectl create configmap x --from-literal=a=b",
            "6b3873000a0f0a0276311209436f6e6669674d6170121b0a110a017812001a0022002a0032003800420012060a01611201621a002200",
            #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "b"}}"#
        ),
        (
            "kubectl create secret generic s1 --from-literal=user=admin --from-literal=pass=s3cr3t",
            "6b3873000a0c0a027631120653656372657412350a120a02733112001a0022002a00320038004200120e0a04706173731206733363723374"
                + "120d0a0475736572120561646d696e1a001a002200",
            #"{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"}, "data": {"pass": "czNjcjN0", "user": "YWRtaW4="}}"#
        ),
        (
            "kubectl create namespace ns1",
            "6b3873000a0f0a02763112094e616d657370616365121b0a130a036e733112001a0022002a0032003800420012001a020a001a002200",
            #"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns1"}, "spec": {}, "status": {}}"#
        ),
        (
            "kubectl create serviceaccount sa1",
            "6b3873000a140a027631120e536572766963654163636f756e7412150a130a0373613112001a0022002a003200380042001a002200",
            #"{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa1"}}"#
        ),
        (
            "kubectl create service clusterip web --tcp=80:8080",
            "6b3873000a0d0a02763112075365727669636512690a1f0a0377656212001a0022002a003200380042005a0a0a036170701203776562"
                + "12420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037765621a002209436c75737465"
                + "7249503a00420052005a00600068001a020a001a002200",
            #"""
            {"apiVersion": "v1", "kind": "Service", "metadata": {"labels": {"app": "web"}, "name": "web"},
             "spec": {"ports": [{"name": "80-8080", "port": 80, "protocol": "TCP", "targetPort": 8080}],
                      "selector": {"app": "web"}, "type": "ClusterIP"},
             "status": {"loadBalancer": {}}}
            """#
        ),
        (
            "kubectl create service clusterip named --tcp=443:https",
            "6b3873000a0d0a02763112075365727669636512760a230a056e616d656412001a0022002a003200380042005a0c0a03617070120"
                + "56e616d6564124b0a220a093434332d6874747073120354435018bb03220b080110001a0568747470732800120c0a036170701205"
                + "6e616d65641a002209436c757374657249503a00420052005a00600068001a020a001a002200",
            #"""
            {"apiVersion": "v1", "kind": "Service", "metadata": {"labels": {"app": "named"}, "name": "named"},
             "spec": {"ports": [{"name": "443-https", "port": 443, "protocol": "TCP", "targetPort": "https"}],
                      "selector": {"app": "named"}, "type": "ClusterIP"},
             "status": {"loadBalancer": {}}}
            """#
        ),
        (
            "kubectl create service clusterip hl --clusterip=None",
            "6b3873000a0d0a027631120753657276696365124d0a1d0a02686c12001a0022002a003200380042005a090a036170701202686c12"
                + "2812090a036170701202686c1a044e6f6e652209436c757374657249503a00420052005a00600068001a020a001a002200",
            #"""
            {"apiVersion": "v1", "kind": "Service", "metadata": {"labels": {"app": "hl"}, "name": "hl"},
             "spec": {"clusterIP": "None", "selector": {"app": "hl"}, "type": "ClusterIP"},
             "status": {"loadBalancer": {}}}
            """#
        ),
        (
            "kubectl create secret docker-registry reg --docker-server=r.example.com --docker-username=u --docker-password=p",
            "6b3873000a0c0a02763112065365637265741295010a130a0372656712001a0022002a00320038004200125e0a112e646f636b6572"
                + "636f6e6669676a736f6e12497b226175746873223a7b22722e6578616d706c652e636f6d223a7b22757365726e616d65223a227522"
                + "2c2270617373776f7264223a2270222c2261757468223a2264547077227d7d7d1a1e6b756265726e657465732e696f2f646f636b"
                + "6572636f6e6669676a736f6e1a002200",
            #"""
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "reg"},
             "data": {".dockerconfigjson": "eyJhdXRocyI6eyJyLmV4YW1wbGUuY29tIjp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fQ=="},
             "type": "kubernetes.io/dockerconfigjson"}
            """#
        ),
        (
            "kubectl create quota q1 --hard=cpu=1,memory=1Gi,pods=10 --scopes=BestEffort",
            "6b3873000a130a027631120d5265736f7572636551756f7461124f0a120a02713112001a0022002a0032003800420012370a0a0a03"
                + "63707512030a01310a0f0a066d656d6f727912050a033147690a0c0a04706f647312040a023130120a426573744566666f72741a00"
                + "1a002200",
            #"""
            {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q1"},
             "spec": {"hard": {"cpu": "1", "memory": "1Gi", "pods": "10"}, "scopes": ["BestEffort"]}, "status": {}}
            """#
        ),
        (
            "kubectl create configmap bin2 --from-file=blob=bin.dat --from-literal=k=v  (bin.dat = 00 01 ff)",
            "6b3873000a0f0a0276311209436f6e6669674d6170122b0a140a0462696e3212001a0022002a0032003800420012060a016b120176"
                + "1a0b0a04626c6f6212030001ff1a002200",
            #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bin2"}, "data": {"k": "v"}, "binaryData": {"blob": "AAH/"}}"#
        ),
        (
            "kubectl create configmap bin --from-file=blob=/dev/null",
            "6b3873000a0f0a0276311209436f6e6669674d6170121f0a130a0362696e12001a0022002a0032003800420012080a04626c6f62"
                + "12001a002200",
            #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bin"}, "data": {"blob": ""}}"#
        ),
        (
            "kubectl create priorityclass high --value=1000 --description='high prio' --preemption-policy=Never",
            "6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c617373122d0a140a04686967"
                + "6812001a0022002a0032003800420010e8071800220968696768207072696f2a054e657665721a002200",
            #"""
            {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"},
             "value": 1000, "description": "high prio", "preemptionPolicy": "Never"}
            """#
        ),
        (
            // No --dry-run for tokens; expected JSON written from the TokenRequest types.
            "kubectl create token sa1 --audience=a1 --duration=10m --bound-object-kind=Secret --bound-object-name=s1 --bound-object-uid=u-1",
            "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565737412380a100a00"
                + "12001a0022002a00320038004200121e0a0261311a150a06536563726574120276311a0273312203752d3120d8041a040a001200"
                + "1a002200",
            #"""
            {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": {},
             "spec": {"audiences": ["a1"], "expirationSeconds": 600,
                      "boundObjectRef": {"kind": "Secret", "apiVersion": "v1", "name": "s1", "uid": "u-1"}},
             "status": {"token": ""}}
            """#
        ),
        (
            "kubectl create token sa1",
            "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e52657175657374121a0a100a00"
                + "12001a0022002a0032003800420012001a040a0012001a002200",
            #"""
            {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": {}, "spec": {},
             "status": {"token": ""}}
            """#
        ),
    ]

    @Test(arguments: 0..<KubectlCapturedBodyTests.fixtures.count)
    func decodesWhatKubectlSends(index: Int) throws {
        let fixture = Self.fixtures[index]
        let expected = try json(fixture.expected)
        let decoded = try decodeBody(hexBytes(fixture.hex))
        #expect(decoded == expected, "\(fixture.command)")
    }

    @Test func decodesKubectlsDeployment() throws {
        // kubectl create deployment d --image=nginx
        let body = hexBytes(
            "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412a3010a1b0a016412001a0022002a003200380042005a080a0361"
                + "707012016412760801120a0a080a036170701201641a5e0a1a0a0012001a0022002a003200380042005a080a03617070120164124012"
                + "220a056e67696e7812056e67696e782a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201"
                + "008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200")
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "labels": {"app": "d"}},
                 "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "d"}}, "strategy": {},
                          "template": {"metadata": {"labels": {"app": "d"}},
                                       "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}}},
                 "status": {}}
                """#)
    }

    @Test func rejectsEveryTruncationOfACapturedBodyWithoutCrashing() throws {
        let body = hexBytes(Self.fixtures[4].hex)
        for length in 4..<body.count {
            do {
                _ = try KubernetesProtobuf.decode(Array(body[0..<length]))
            } catch {
                #expect(error.offset != nil || error.code == .missingTypeInformation, "length \(length): \(error)")
            }
        }
    }
}

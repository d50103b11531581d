import Foundation
import KubeModel
import Testing

@Suite struct GeneratedIdentifierTests {
    @Test func objectUIDsAreVersion4UUIDsInLowercase() throws {
        let uids = (0..<200).map { _ in ObjectUID.generate() }
        #expect(Set(uids).count == uids.count)
        for uid in uids {
            let parsed = try #require(UUID(uuidString: uid), "\(uid)")
            #expect(parsed.uuidString.lowercased() == uid)
            let bytes = withUnsafeBytes(of: parsed.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 4, "version of \(uid)")
            #expect(bytes[8] >> 6 == 0b10, "variant of \(uid)")
        }
    }

    @Test func generatedNameSuffixesUseKubernetesAlphabet() {
        let suffixes = (0..<200).map { _ in GeneratedName.randomSuffix() }
        #expect(Set(suffixes).count > 190)
        for suffix in suffixes {
            #expect(suffix.count == 5)
            #expect(suffix.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) }, "\(suffix)")
        }
        #expect(GeneratedName.randomSuffix(length: 0) == "")
    }

    @Test func mediaTypesLoseParametersCaseAndSpaces() {
        #expect(HTTPMediaType.essence(of: "Application/JSON; charset=utf-8") == "application/json")
        #expect(HTTPMediaType.essence(of: " \tapplication/yaml ") == "application/yaml")
        #expect(HTTPMediaType.essence(of: "application/apply-patch+yaml;") == "application/apply-patch+yaml")
        // An empty type stays empty (a 415), even with parameters after it.
        #expect(HTTPMediaType.essence(of: ";application/json") == "")
        #expect(HTTPMediaType.essence(of: "") == "")
        #expect(KubernetesProtobuf.matches(contentType: "application/vnd.kubernetes.protobuf ; x=y"))
        #expect("\t a b \t".trimmingHTTPWhitespace() == "a b")
        #expect("   ".trimmingHTTPWhitespace() == "")
    }
}

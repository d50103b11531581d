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

    /// Letters come eight to a random draw: every position, past the first draw too, must
    /// take every letter of the alphabet (a position stuck at one letter, or a draw not
    /// renewed, would show as a short set).
    @Test func everyPositionOfASuffixTakesEveryLetter() {
        let suffixes = (0..<2_000).map { _ in Array(GeneratedName.randomSuffix(length: 20)) }
        #expect(suffixes.allSatisfy { $0.count == 20 })
        for position in 0..<20 {
            #expect(Set(suffixes.map { $0[position] }).count == 27, "position \(position)")
        }
        // The second draw's letters are not the first draw's again.
        #expect(suffixes.filter { $0[0..<8] == $0[8..<16] }.count < 2)
    }

    /// Draws come from a 4 KiB batch: across several refills (512 words each) and from
    /// several threads at once, no word repeats and every bit varies.
    @Test func batchedDrawsDoNotRepeatAcrossRefillsOrThreads() async {
        let words = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var random = BatchedRandom()
                    return (0..<1_500).map { _ in random.next() }
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(words.count == 6_000)
        #expect(Set(words).count == words.count)
        let ones = words.reduce(UInt64(0)) { $0 | $1 }
        let zeros = words.reduce(UInt64.max) { $0 & $1 }
        #expect(ones == .max && zeros == 0)
    }

    @Test func theCurrentTimestampIsFormattedAsAnyOther() {
        let before = Date().timeIntervalSince1970.rounded(.down)
        let text = Timestamp.now()
        let after = Date().timeIntervalSince1970.rounded(.down)
        let candidates = Set([before, after].map { Timestamp.string(Date(timeIntervalSince1970: $0)) })
        #expect(candidates.contains(text), "\(text) not in \(candidates)")
        #expect(Timestamp.now() >= text)
    }

    @Test func mediaTypesLoseParametersCaseAndSpaces() {
        #expect(HTTPMediaType.essence(of: "Application/JSON; charset=utf-8") == "application/json")
        #expect(HTTPMediaType.essence(of: " \tapplication/yaml ") == "application/yaml")
        #expect(HTTPMediaType.essence(of: "application/apply-patch+yaml;") == "application/apply-patch+yaml")
        // An empty type stays empty (a 415), even with parameters after it.
        #expect(HTTPMediaType.essence(of: ";application/json") == "")
        #expect(HTTPMediaType.essence(of: "") == "")
        // Already an essence, or nearly: one capital letter or non-ASCII byte still counts.
        #expect(HTTPMediaType.essence(of: "application/json") == "application/json")
        #expect(HTTPMediaType.essence(of: "application/jsoN") == "application/json")
        #expect(HTTPMediaType.essence(of: "application/jsÖn") == "application/jsön")
        #expect(KubernetesProtobuf.matches(contentType: "application/vnd.kubernetes.protobuf ; x=y"))
        #expect("\t a b \t".trimmingHTTPWhitespace() == "a b")
        #expect("   ".trimmingHTTPWhitespace() == "")
    }
}

import Foundation
import KubeModel
import Synchronization
import Testing

/// Hostile documents: nesting that would exhaust a thread's stack, patches that grow a
/// document without bound. Each must be refused with an error, in any build, on any thread.
@Suite struct NestingLimitTests {
    private static func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    @Test func parsingStopsAtTheDepthBound() throws {
        let limit = JSONValue.maximumNestingDepth
        let atLimit = try JSONValue(parsing: Self.nested(limit))
        #expect(!atLimit.nestingDepthExceeds(limit))
        #expect(atLimit.nestingDepthExceeds(limit - 1))
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Self.nested(limit + 1)) }
    }

    @Test func aHundredThousandBracketsAreRefusedEarlyOnASmallStack() throws {
        // A thread with a 1 MiB stack: the unbounded parser needed about 1.6 KiB a level in a
        // debug build, so 100,000 levels overflowed any stack.
        let document = Array(Self.nested(100_000).utf8)
        let outcome = Mutex<String?>(nil)
        let thread = Thread {
            do {
                _ = try JSONValue(parsing: document)
                outcome.withLock { $0 = "parsed" }
            } catch let error as JSONParseError {
                outcome.withLock { $0 = "\(error.offset): \(error.reason)" }
            } catch {
                outcome.withLock { $0 = "\(error)" }
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
        while outcome.withLock({ $0 }) == nil { Thread.sleep(forTimeInterval: 0.005) }
        let message = try #require(outcome.withLock { $0 })
        #expect(message.hasPrefix("\(JSONValue.maximumNestingDepth):"))
        #expect(message.contains("nesting deeper than 128 levels"))
    }

    @Test func objectsNestToo() throws {
        let deep = String(repeating: "{\"a\":", count: 200) + "1" + String(repeating: "}", count: 200)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let read = try JSONValue(parsing: deep, maximumDepth: JSONValue.maximumReadDepth)
        #expect(!read.nestingDepthExceeds(200) && read.nestingDepthExceeds(199))
    }

    @Test func jsonPatchCannotNestValuesUnderEachOtherWithoutBound() throws {
        // Each operation nests a 100-deep value under the previous one.
        var value: JSONValue = 1
        for _ in 0..<100 { value = ["a": value] }
        var operations: [JSONValue] = [["op": "add", "path": "/a", "value": value]]
        operations.append(["op": "add", "path": .string("/a" + String(repeating: "/a", count: 99)), "value": value])
        #expect(throws: PatchError.self) { try JSONPatch.apply(.array(operations), to: ["kind": "ConfigMap"]) }
        // One such operation is fine.
        let once = try JSONPatch.apply(.array([operations[0]]), to: ["kind": "ConfigMap"])
        #expect(!once.nestingDepthExceeds(101) && once.nestingDepthExceeds(100))
    }

    @Test func jsonPatchCopiesCannotDoubleTheDocumentForever() throws {
        var document: JSONValue = ["a": .string(String(repeating: "x", count: 1 << 16))]
        document["b"] = [:]
        var operations: [JSONValue] = []
        for index in 0..<64 { operations.append(["op": "copy", "from": "/a", "path": .string("/b/\(index)")]) }
        let error = #expect(throws: PatchError.self) { try JSONPatch.apply(.array(operations), to: document) }
        #expect(error?.reason.contains("copies in this patch exceed") == true)
    }

    @Test func jsonPatchOperationCountIsBounded() throws {
        let operations = JSONValue.array(Array(repeating: ["op": "test", "path": "/kind", "value": "ConfigMap"], count: 10_001))
        let error = #expect(throws: PatchError.self) { try JSONPatch.apply(operations, to: ["kind": "ConfigMap"]) }
        #expect(error?.reason.contains("10000") == true)
    }

    @Test func approximateSizeStopsAtItsBudget() {
        let big = JSONValue.array(Array(repeating: .string(String(repeating: "x", count: 100)), count: 10_000))
        #expect(big.approximateSize(upTo: 1_000) < 2_000)
        #expect(big.approximateSize(upTo: 10_000_000) > 1_000_000)
    }
}

// Fuzz target: RFC 6902 JSON patch (JSONPatch.apply). Input: document, NUL byte, patch.
//
// Properties: a patched result round-trips through serialize/parse; a patch made only of
// `test` operations never changes the document; an empty patch is the identity.
import Foundation

@testable import KubeModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONPatch(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (document, patch) = FuzzInput.jsonPair(data, size) else { return 0 }
    guard let result = try? JSONPatch.apply(patch, to: document) else { return 0 }
    FuzzCheck.roundTrips(result, "JSON patch result")
    let operations = patch.arrayValue ?? []
    if operations.allSatisfy({ $0["op"]?.stringValue == "test" }) {
        FuzzCheck.that(result == document, "a patch of only test operations changed the document")
    }
    return 0
}

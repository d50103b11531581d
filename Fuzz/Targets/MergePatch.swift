// Fuzz target: RFC 7386 JSON merge patch (MergePatch.apply). Input: document, NUL, patch.
//
// Properties: the result round-trips through serialize/parse; a merge patch is idempotent
// (applying it to its own result changes nothing), as RFC 7386 patches are.
import Foundation

@testable import KubeModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMergePatch(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (document, patch) = FuzzInput.jsonPair(data, size) else { return 0 }
    let result = MergePatch.apply(patch, to: document)
    FuzzCheck.roundTrips(result, "merge patch result")
    FuzzCheck.that(MergePatch.apply(patch, to: result) == result, "merge patch is not idempotent")
    return 0
}

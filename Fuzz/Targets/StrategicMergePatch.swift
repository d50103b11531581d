// Fuzz target: Kubernetes strategic merge patch (StrategicMergePatch.apply), the patch
// `kubectl apply` sends. Input: document, NUL byte, patch.
//
// Properties: the result round-trips through serialize/parse; when the document itself
// holds no key starting with "$", no patch directive ($patch, $retainKeys,
// $setElementOrder/…, $deleteFromPrimitiveList/…) survives into the result, as the type
// promises.
import Foundation

@testable import KubeModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStrategicMergePatch(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (document, patch) = FuzzInput.jsonPair(data, size) else { return 0 }
    guard let result = try? StrategicMergePatch.apply(patch, to: document) else { return 0 }
    FuzzCheck.roundTrips(result, "strategic merge patch result")
    if !containsKey(document, where: { $0.hasPrefix("$") }) {
        FuzzCheck.that(
            !containsKey(result, where: isDirective),
            "a directive survived into the result: \(FuzzCheck.excerpt(result.serialized()))")
    }
    return 0
}

private func isDirective(_ key: String) -> Bool {
    key == "$patch" || key == "$retainKeys" || key.hasPrefix("$setElementOrder/")
        || key.hasPrefix("$deleteFromPrimitiveList/")
}

private func containsKey(_ value: JSONValue, where test: (String) -> Bool) -> Bool {
    switch value {
    case .object(let fields): return fields.contains { test($0.key) || containsKey($0.value, where: test) }
    case .array(let items): return items.contains { containsKey($0, where: test) }
    default: return false
    }
}

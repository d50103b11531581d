// Fuzz target: field selectors (`?fieldSelector=`, FieldSelector(parsing:)).
//
// Property: a selector's description (values escaped again) parses back to an equal
// selector.
import Foundation

@testable import KubeModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFieldSelector(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: FuzzInput.bytes(data, size), as: UTF8.self)
    guard let selector = try? FieldSelector(parsing: text) else { return 0 }
    let printed = selector.description
    do {
        let reparsed = try FieldSelector(parsing: printed)
        FuzzCheck.that(reparsed == selector, "\(text.debugDescription) prints as \(printed.debugDescription), which parses differently")
    } catch {
        FuzzCheck.fail("\(text.debugDescription) prints as \(printed.debugDescription), which does not parse: \(error)")
    }
    return 0
}

// Fuzz target: label selectors, in both forms a client sends them: the `?labelSelector=`
// string (LabelSelector(parsing:)) and, when the input is JSON, a metav1.LabelSelector
// object (LabelSelector(json:)).
//
// Property: a selector's description parses back to an equal selector (the server prints
// selectors in messages and in `kubectl get` output, and Deployments store them).
import Foundation

@testable import KubeModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLabelSelector(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    if let selector = try? LabelSelector(parsing: text) {
        checkReparses(selector, from: text)
    }
    if let json = try? JSONValue(parsing: bytes), let selector = try? LabelSelector(json: json), !json.isNull {
        checkReparses(selector, from: json.serializedString())
    }
    return 0
}

private func checkReparses(_ selector: LabelSelector, from source: String) {
    let printed = selector.description
    do {
        let reparsed = try LabelSelector(parsing: printed)
        FuzzCheck.that(reparsed == selector, "\(source.debugDescription) prints as \(printed.debugDescription), which parses differently")
    } catch {
        FuzzCheck.fail("\(source.debugDescription) prints as \(printed.debugDescription), which does not parse: \(error)")
    }
}

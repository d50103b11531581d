// Fuzz target: the JSON parser every request body goes through (JSONValue(parsing:)).
//
// Properties: an accepted document serializes and re-parses to an equal value, and
// serializes to the same bytes again; a refused one is refused with a JSONParseError whose
// offset lies inside the input.
import Foundation

@testable import KubeModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONParse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    do {
        let value = try JSONValue(parsing: bytes)
        FuzzCheck.roundTrips(value, "parsed document")
    } catch {
        FuzzCheck.that(
            error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside an input of \(size) bytes")
    }
    return 0
}

// Shared by every fuzz target (compiled into each one): property checks that stop the
// fuzzer with a readable message, so a broken property is reported as a crash together
// with the input that broke it, and the helpers that cut one input into several parts.
import Foundation

@testable import KubeModel

enum FuzzCheck {
    /// Aborts (a libFuzzer "crash") with `message` when `condition` is false.
    static func that(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fail(message()) }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("==fuzz== property violated: \(message)\n".utf8))
        abort()
    }

    /// `value` serializes to JSON that parses back to an equivalent value (as JSON means it:
    /// the serializer writes an integral double such as `2.0` as `2`, which reads back as an
    /// integer), and serializing that value again gives the same bytes: what the server needs
    /// of anything it stores and reads back at start-up.
    static func roundTrips(_ value: JSONValue, _ what: String) {
        let bytes = value.serialized()
        let reparsed: JSONValue
        do {
            reparsed = try JSONValue(parsing: bytes)
        } catch {
            fail("\(what) serializes to JSON its own parser refuses (\(error)): \(excerpt(bytes))")
        }
        that(reparsed.isEquivalent(to: value), "\(what) changes in a serialize/parse round trip: \(excerpt(bytes))")
        that(reparsed.serialized() == bytes, "\(what) serializes differently after a round trip: \(excerpt(bytes))")
    }

    static func excerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(400), as: UTF8.self)
        return bytes.count > 400 ? text + "… (\(bytes.count) bytes)" : text
    }
}

enum FuzzInput {
    static func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Splits an input at its first NUL byte into (document, patch); nil without one.
    /// JSON text cannot contain a raw NUL, so the separator never hides a valid document.
    static func pair(_ bytes: [UInt8]) -> (first: [UInt8], second: [UInt8])? {
        guard let separator = bytes.firstIndex(of: 0) else { return nil }
        return (Array(bytes[..<separator]), Array(bytes[(separator + 1)...]))
    }

    /// Both halves of a pair parsed as JSON, or nil when either is not JSON (the JSON
    /// parser has a target of its own).
    static func jsonPair(_ data: UnsafePointer<UInt8>, _ size: Int) -> (document: JSONValue, patch: JSONValue)? {
        guard let (first, second) = pair(bytes(data, size)),
            let document = try? JSONValue(parsing: first),
            let patch = try? JSONValue(parsing: second)
        else { return nil }
        return (document, patch)
    }
}

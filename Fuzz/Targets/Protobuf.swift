// Fuzz target: Kubernetes protobuf request bodies (KubernetesProtobuf.decode), what
// kubectl's typed generators send.
//
// Properties: decoding either throws a ProtobufDecodingError (typed; its byte offset, when
// it has one, lies inside the body) or yields a JSON object with string `apiVersion` and
// `kind` that round-trips through serialize/parse.
import Foundation

@testable import KubeModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtobuf(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    do {
        let object = try KubernetesProtobuf.decode(bytes)
        FuzzCheck.that(object["kind"]?.stringValue?.isEmpty == false, "decoded object has no kind")
        FuzzCheck.that(object["apiVersion"]?.stringValue != nil, "decoded object has no apiVersion")
        FuzzCheck.roundTrips(object, "decoded protobuf body")
    } catch {
        if let offset = error.offset {
            FuzzCheck.that(offset >= 0 && offset <= size, "error offset \(offset) outside a body of \(size) bytes: \(error)")
        }
    }
    return 0
}

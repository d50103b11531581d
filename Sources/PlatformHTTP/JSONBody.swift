import Foundation
import Hummingbird
import KubeModel
import NIOCore

/// How the platform API reads a request body, for every route that takes one: at most
/// ``maximumSize`` bytes (413 beyond), JSON only (415 for another media type; no
/// `Content-Type` is taken as JSON), a JSON object (400 otherwise, also for nesting deeper
/// than the parser's bound), then decoded into the call's request type — strictly, when the
/// type reads itself through ``StrictFields``, so that a wrong or unknown field is a 400
/// naming it. An empty body is `{}`.
public enum JSONBody {
    /// Kubernetes' limit for a request body, kept on the platform address too.
    public static let maximumSize = 3 << 20

    public static let tooLarge = PlatformError(.tooLarge, "the body is larger than \(maximumSize) bytes (3 MiB)")

    /// Reads and decodes the request's body. `JSONValue` is given the parsed document itself,
    /// for routes that read a free-form body (capacity scenarios, migration requests).
    public static func decode<Body: Decodable>(_ type: Body.Type, from request: Request) async throws(PlatformError) -> Body {
        let bytes = try await read(request)
        return try decode(type, from: bytes, contentType: request.headers[.contentType])
    }

    /// The body's bytes, up to the limit.
    public static func read(_ request: Request) async throws(PlatformError) -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: maximumSize)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch {
            throw PlatformError(.badRequest, "the body could not be read: \(error)")
        }
    }

    /// Decodes `bytes` (already read); `contentType` is the request's header.
    public static func decode<Body: Decodable>(
        _ type: Body.Type, from bytes: [UInt8],
        contentType: String?
    ) throws(PlatformError) -> Body {
        var bytes = bytes
        if bytes.isEmpty {
            bytes = Array("{}".utf8)
        } else if let contentType, !isJSON(contentType) {
            throw PlatformError(.unsupportedMediaType, "the body must be JSON (Content-Type: application/json), not \(contentType)")
        }
        // The project's parser first: it bounds the nesting depth without deep recursion.
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            throw PlatformError(.badRequest, "the body is not JSON: \(error)")
        }
        guard document.objectValue != nil else {
            throw PlatformError(.badRequest, "the body must be a JSON object, not \(document.typeName)")
        }
        if let document = document as? Body { return document }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as RequestFieldError {
            throw PlatformError(.badRequest, error.description)
        } catch let error as DecodingError {
            throw PlatformError(.badRequest, describe(error))
        } catch {
            throw PlatformError(.badRequest, "the body could not be read: \(error)")
        }
    }

    /// `application/json`, or a `+json` type, with any parameters.
    public static func isJSON(_ contentType: String) -> Bool {
        let media =
            contentType.split(separator: ";", maxSplits: 1).first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }

    private static func describe(_ error: DecodingError) -> String {
        let context: DecodingError.Context? =
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
                .dataCorrupted(let context):
                context
            @unknown default: nil
            }
        let field = context?.codingPath.map(\.stringValue).joined(separator: ".") ?? ""
        let what = context?.debugDescription ?? "\(error)"
        return field.isEmpty ? "the body is not valid: \(what)" : "field \"\(field)\": \(what)"
    }
}

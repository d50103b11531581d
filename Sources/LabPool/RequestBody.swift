import Foundation
import Hummingbird
import KubeModel
import NIOCore

/// How the platform API reads a request body: at most ``maximumSize`` bytes (413 beyond),
/// JSON only (415 for another media type; no `Content-Type` is taken as JSON), a JSON object
/// (400 otherwise, also for nesting deeper than the parser's bound), then decoded into the
/// call's request type with the wrong field named. An empty body is `{}`.
enum RequestBody {
    /// Kubernetes' limit for a request body, kept on the platform address too.
    static let maximumSize = 3 << 20

    static func decode<Body: Decodable>(_ type: Body.Type, from request: Request) async throws(LabAPIError) -> Body {
        let bytes = try await read(request)
        return try decode(type, from: bytes, contentType: request.headers[.contentType])
    }

    /// The body's bytes, up to the limit.
    static func read(_ request: Request) async throws(LabAPIError) -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: maximumSize)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch {
            throw LabAPIError(.badRequest, "the body could not be read: \(error)")
        }
    }

    static let tooLarge = LabAPIError(.tooLarge, "the body is larger than \(maximumSize) bytes (3 MiB)")

    /// Decodes `bytes` (already read) strictly; `contentType` is the request's header.
    static func decode<Body: Decodable>(_ type: Body.Type, from bytes: [UInt8], contentType: String?) throws(LabAPIError) -> Body {
        var bytes = bytes
        if bytes.isEmpty {
            bytes = Array("{}".utf8)
        } else if let contentType, !isJSON(contentType) {
            throw LabAPIError(.unsupportedMediaType, "the body must be JSON (Content-Type: application/json), not \(contentType)")
        }
        // The project's parser first: it bounds the nesting depth without deep recursion.
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            throw LabAPIError(.badRequest, "the body is not JSON: \(error)")
        }
        guard document.objectValue != nil else {
            throw LabAPIError(.badRequest, "the body must be a JSON object, not \(document.typeName)")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as RequestFieldError {
            throw LabAPIError(.badRequest, error.description)
        } catch let error as DecodingError {
            throw LabAPIError(.badRequest, describe(error))
        } catch {
            throw LabAPIError(.badRequest, "the body could not be read: \(error)")
        }
    }

    /// `application/json`, or a `+json` type, with any parameters.
    static func isJSON(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";", maxSplits: 1).first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }

    private static func describe(_ error: DecodingError) -> String {
        let context: DecodingError.Context? = switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
             .dataCorrupted(let context): context
        @unknown default: nil
        }
        let field = context?.codingPath.map(\.stringValue).joined(separator: ".") ?? ""
        let what = context?.debugDescription ?? "\(error)"
        return field.isEmpty ? "the body is not valid: \(what)" : "field \"\(field)\": \(what)"
    }
}

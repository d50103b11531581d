import Foundation
import KubeModel

/// The OpenAPI 3 document of the platform address (`platform.openapi.json`, served at
/// `GET /openapi.json`), and the routes it names: the platform answers a documented path
/// asked with an undocumented method with 405 and the methods it allows.
public struct PlatformOpenAPI: Sendable {
    /// The document as shipped, served byte for byte.
    public let document: [UInt8]
    let routes: [(segments: [Segment], methods: [String])]

    enum Segment: Equatable {
        case literal(String)
        /// `{name}`: any one non-empty segment.
        case parameter
    }

    /// The document bundled with this module.
    public static func bundled() throws(PlatformOpenAPIError) -> PlatformOpenAPI {
        guard let url = Bundle.module.url(forResource: "platform.openapi", withExtension: "json") else {
            throw PlatformOpenAPIError("platform.openapi.json is missing from the VirtyardServer bundle")
        }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: url))
        } catch {
            throw PlatformOpenAPIError("platform.openapi.json cannot be read: \(error)")
        }
        return try PlatformOpenAPI(document: bytes)
    }

    init(document: [UInt8]) throws(PlatformOpenAPIError) {
        let parsed: JSONValue
        do {
            parsed = try JSONValue(parsing: document)
        } catch {
            throw PlatformOpenAPIError("platform.openapi.json is not JSON: \(error)")
        }
        guard let paths = parsed["paths"]?.objectValue else { throw PlatformOpenAPIError("platform.openapi.json has no paths") }
        let verbs = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        self.document = document
        routes = paths.keys.sorted().map { path in
            let segments = path.split(separator: "/").map { part -> Segment in
                part.hasPrefix("{") && part.hasSuffix("}") ? .parameter : .literal(String(part))
            }
            let methods = verbs.filter { paths[path]?[$0] != nil }.map { $0.uppercased() }
            return (segments, methods)
        }
    }

    /// The methods documented for the path of a request, empty when no documented path
    /// matches it. A literal segment wins over a parameter (`/scenario` is not `/nodes/{name}`).
    func methods(forPath path: String) -> [String] {
        let parts = path.split(separator: "/").map(String.init)
        // The route with the most literal segments wins (`/clusters/operations` over
        // `/clusters/{name}`); routes tied on that share their methods.
        var best: (literals: Int, methods: [String]) = (-1, [])
        for route in routes where route.segments.count == parts.count {
            let matches = zip(route.segments, parts).allSatisfy { segment, part in
                switch segment {
                case .literal(let text): text == part
                case .parameter: !part.isEmpty
                }
            }
            guard matches else { continue }
            let literals = route.segments.filter { if case .literal = $0 { true } else { false } }.count
            if literals > best.literals {
                best = (literals, route.methods)
            } else if literals == best.literals {
                best.methods += route.methods.filter { !best.methods.contains($0) }
            }
        }
        return best.methods
    }
}

public struct PlatformOpenAPIError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The console's scripts, styles and images, read from the bundle once at start-up. Each is
/// served under a path that carries a hash of its bytes (`/ui/assets/<hash>/<file>`), so
/// browsers may keep it for a year: a new release has new paths.
public struct ConsoleAssets: Sendable {
    struct Asset: Sendable {
        let path: String
        let bytes: ByteBuffer
        let contentType: String
        let etag: String
    }

    /// By the path relative to `Resources/assets` (`htmx/htmx.min.js`).
    private let assets: [String: Asset]
    /// The hashed URL of each asset, by its relative path.
    public let urls: [String: String]

    public init(directory: URL) throws {
        var assets: [String: Asset] = [:]
        var urls: [String: String] = [:]
        let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        while let file = files?.nextObject() as? URL {
            guard (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let relative = String(file.standardizedFileURL.path.dropFirst(directory.standardizedFileURL.path.count + 1))
            guard let contentType = Self.contentType(of: relative) else { continue }
            let data = try Data(contentsOf: file)
            let hash = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined().prefix(12)
            let url = "/ui/assets/\(hash)/\(relative)"
            assets[relative] = Asset(path: relative, bytes: ByteBuffer(bytes: data), contentType: contentType, etag: "\"\(hash)\"")
            urls[relative] = url
        }
        self.assets = assets
        self.urls = urls
    }

    /// The bundled assets.
    public static func bundled() throws -> ConsoleAssets {
        guard let directory = Bundle.module.url(forResource: "assets", withExtension: nil) else {
            throw ConsoleError(.internalServerError, "the console's assets are missing from the bundle")
        }
        return try ConsoleAssets(directory: directory)
    }

    /// The answer for `/ui/assets/<hash>/<path>`: the asset when both match, 404 otherwise.
    func response(hash: String, path: String, ifNoneMatch: String?) -> Response {
        guard let asset = assets[path], urls[path] == "/ui/assets/\(hash)/\(path)" else {
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "not found\n")))
        }
        var headers: HTTPFields = [
            .contentType: asset.contentType, .cacheControl: "public, max-age=31536000, immutable", .eTag: asset.etag,
        ]
        if ifNoneMatch == asset.etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(asset.bytes.readableBytes)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.bytes))
    }

    /// `/favicon.ico`, which browsers ask for on their own.
    func favicon() -> Response {
        guard let asset = assets["console/favicon.svg"] else { return Response(status: .noContent) }
        return Response(
            status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "public, max-age=86400"],
            body: ResponseBody(byteBuffer: asset.bytes))
    }

    static func contentType(of path: String) -> String? {
        switch path.split(separator: ".").last {
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: nil // LICENSE and SOURCES.md stay in the repository, not on the wire
        }
    }
}

import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// Where an import reads from, resolved from a DataVolume's `spec.source`.
enum ImportSource: Sendable, Equatable {
    case http(URL)
    case s3(URL, S3Credentials?)
    case blank
    /// A clone or restore: the data of another volume or snapshot on this machine.
    case local(URL, description: String)
    case unsupported(String)
}

struct S3Credentials: Sendable, Equatable {
    var accessKeyID: String
    var secretKey: String
}

/// One volume to fill.
struct ImportRequest: Sendable {
    var namespace: String
    var claim: String
    var source: ImportSource
    /// Bytes of a blank image.
    var size: Int64
    /// `sha256:<hex>`, verified once the data is complete.
    var checksum: String?
    /// PEM certificates to trust for HTTPS (the source's `certConfigMap`), none for the system's.
    var trustedCertificates: [String] = []
}

/// Why an import stopped without data. `message` is what the DataVolume's conditions say;
/// missing sources say "404"/"not found" as CDI's importer does, which is what the image sync
/// controller (and data-sync-operator) look for.
enum ImportFailure: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    case rejected(String)
    case checksumMismatch(expected: String, actual: String)
    case transport(String)
    case unsupported(String)
    case storage(String)

    var description: String {
        switch self {
        case .notFound(let message), .rejected(let message), .transport(let message), .unsupported(let message),
            .storage(let message):
            message
        case .checksumMismatch(let expected, let actual):
            "checksum mismatch: expected \(expected), got sha256:\(actual); the data was discarded"
        }
    }

    var reason: String {
        switch self {
        case .notFound: "NotFound"
        case .rejected: "Rejected"
        case .checksumMismatch: "ChecksumMismatch"
        case .transport: "Error"
        case .unsupported: "Unsupported"
        case .storage: "StorageError"
        }
    }
}

/// What an import has done so far; read by the DataVolume controller to report progress.
struct ImportProgress: Sendable, Equatable {
    /// Bytes of the image on disk.
    var bytesWritten: Int64 = 0
    /// The image's size once a response told it.
    var totalBytes: Int64?
    /// Bytes received from the network, including any received again after a restart.
    var bytesReceived: Int64 = 0
    /// Times the transfer started over from zero (CDI's `restartCount`).
    var restarts: Int = 0
    /// Times a broken transfer continued where it stopped (a Range request).
    var resumes: Int = 0

    var fraction: Double? {
        guard let totalBytes, totalBytes > 0 else { return nil }
        return min(1, Double(bytesWritten) / Double(totalBytes))
    }
}

/// Downloads volume data into the `VolumeStore`, as CDI's importer pod does, and better at the
/// two things that cost money on a metered link: a broken connection resumes with a `Range`
/// request from the bytes already on disk (CDI's importer restarts from zero), and every
/// import shares one bandwidth budget.
struct Importer: Sendable {
    let store: VolumeStore
    let bandwidth: BandwidthLimit
    /// False restarts every broken transfer from zero, as CDI does (the benchmark's baseline).
    let resume: Bool
    let client: HTTPClient
    /// Broken transfers in a row, with no byte gained between them, before the import fails.
    var maxFailuresWithoutProgress = 5
    /// Pause after a failure that gained nothing (doubles each time, up to 8 s).
    var retryDelay: Duration = .milliseconds(250)

    /// One HTTP client for every import of the process: the connection pool is shared and the
    /// client lives as long as the process (as `HTTPClient.shared` does), with a read timeout
    /// so a stalled server counts as a broken connection.
    static let sharedClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration())

    static func clientConfiguration(tls: TLSConfiguration? = nil) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: .init(connect: .seconds(10), read: .seconds(30)))
        configuration.decompression = .disabled
        // Imports from one host run in parallel up to the sync policy's concurrency; AHC's
        // default of 8 connections per host would queue them behind each other.
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return configuration
    }

    /// Fills the volume; on success the volume file holds the whole, verified image.
    func run(_ request: ImportRequest, progress: ImportProgressBox) async throws(ImportFailure) {
        let volume = store.volume(namespace: request.namespace, claim: request.claim)
        switch request.source {
        case .unsupported(let message):
            throw .unsupported(message)
        case .blank:
            do {
                try store.createBlank(namespace: request.namespace, claim: request.claim, size: request.size)
            } catch {
                throw .storage("cannot create the blank image: \(error)")
            }
            progress.withLock {
                $0.bytesWritten = request.size
                $0.totalBytes = request.size
            }
            return
        case .local(let file, let description):
            let populated: Bool
            do {
                populated = try store.populate(namespace: request.namespace, claim: request.claim, from: file)
            } catch {
                throw .storage("cannot populate from \(description): \(error)")
            }
            guard populated else { throw .notFound("\(description) has no data (not found)") }
            let size = VolumeStore.size(of: volume)
            progress.withLock {
                $0.bytesWritten = size
                $0.totalBytes = size
            }
            return
        case .http(let url):
            try await download(request, url: url, credentials: nil, progress: progress)
        case .s3(let url, let credentials):
            try await download(request, url: S3RequestSigner.requestURL(url), credentials: credentials, progress: progress)
        }
    }

    private func download(
        _ request: ImportRequest, url: URL, credentials: S3Credentials?,
        progress: ImportProgressBox
    ) async throws(ImportFailure) {
        let partial = store.partial(namespace: request.namespace, claim: request.claim)
        do {
            try VolumeStore.prepareDirectory(for: partial)
        } catch {
            throw .storage("cannot create the volume directory: \(error)")
        }
        var client = self.client
        var ownClient: HTTPClient?
        if !request.trustedCertificates.isEmpty {
            do {
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.trustRoots = .certificates(
                    try request.trustedCertificates.flatMap {
                        try NIOSSLCertificate.fromPEMBytes(Array($0.utf8))
                    })
                ownClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.clientConfiguration(tls: tls))
                client = ownClient!
            } catch {
                throw .rejected("certConfigMap holds no usable PEM certificate: \(error)")
            }
        }
        defer { if let ownClient { Task { try? await ownClient.shutdown() } } }
        // Partial data is resumed only for the same source (the next attempt of an image may
        // point elsewhere): the source's URL is kept beside it.
        let marker = partial.appendingPathExtension("source")
        let previousSource = try? String(contentsOf: marker, encoding: .utf8)
        if !resume || previousSource != url.absoluteString {
            try? FileManager.default.removeItem(at: partial)
        }
        try? url.absoluteString.write(to: marker, atomically: true, encoding: .utf8)
        defer { if !VolumeStore.exists(partial) { try? FileManager.default.removeItem(at: marker) } }

        var failuresWithoutProgress = 0
        var delay = retryDelay
        while true {
            let before = VolumeStore.size(of: partial)
            let outcome = await transfer(
                url: url, credentials: credentials, partial: partial, client: client,
                progress: progress)
            switch outcome {
            case .complete:
                try finish(request, partial: partial, progress: progress)
                return
            case .failed(let failure):
                try? FileManager.default.removeItem(at: partial)
                throw failure
            case .broken(let message):
                let after = VolumeStore.size(of: partial)
                if after > before {
                    failuresWithoutProgress = 0
                    delay = retryDelay
                } else {
                    failuresWithoutProgress += 1
                    if failuresWithoutProgress >= maxFailuresWithoutProgress {
                        throw .transport("\(message) (\(failuresWithoutProgress) attempts in a row made no progress)")
                    }
                    do { try await Task.sleep(for: delay) } catch { throw .transport("cancelled") }
                    delay = min(delay * 2, .seconds(8))
                }
                if resume && after > 0 {
                    progress.withLock { $0.resumes += 1 }
                } else {
                    try? FileManager.default.removeItem(at: partial)
                    progress.withLock {
                        $0.restarts += 1
                        $0.bytesWritten = 0
                    }
                }
            }
        }
    }

    private enum Outcome {
        case complete
        case broken(String)
        case failed(ImportFailure)
    }

    /// One request: from the partial file's end when resuming.
    private func transfer(
        url: URL, credentials: S3Credentials?, partial: URL, client: HTTPClient,
        progress: ImportProgressBox
    ) async -> Outcome {
        if Task.isCancelled { return .failed(.transport("cancelled")) }
        var offset = resume ? VolumeStore.size(of: partial) : 0
        var request = HTTPClientRequest(url: url.absoluteString)
        var headers: [(String, String)] = []
        if offset > 0 { headers.append(("Range", "bytes=\(offset)-")) }
        if let credentials {
            let signer = S3RequestSigner(
                accessKeyID: credentials.accessKeyID, secretKey: credentials.secretKey,
                region: S3RequestSigner.region(of: url))
            headers += signer.sign(url: url, headers: headers)
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .hours(24))
        } catch {
            return .broken("cannot reach \(Self.redacted(url)): \(error)")
        }
        let total: Int64?
        switch response.status.code {
        case 200:
            offset = 0
            total = response.headers.first(name: "content-length").flatMap { Int64($0) }
        case 206:
            guard let range = Self.contentRange(response.headers.first(name: "content-range")), range.start == offset else {
                offset = 0
                try? FileManager.default.removeItem(at: partial)
                return .broken("the server answered a different range than asked")
            }
            total = range.total
        case 416:
            // Everything is here already (a previous transfer broke after its last byte).
            if let range = Self.unsatisfiedRange(response.headers.first(name: "content-range")), range == offset {
                progress.withLock {
                    $0.totalBytes = range
                    $0.bytesWritten = offset
                }
                return .complete
            }
            try? FileManager.default.removeItem(at: partial)
            return .broken("the server refused the range bytes=\(offset)-")
        case 404:
            let detail = await Self.errorDetail(response)
            return .failed(
                .notFound(
                    "Unable to connect to \(credentials == nil ? "http" : "s3") data source: "
                        + "expected status code 200, got 404. Status: 404 Not Found\(detail)"))
        case 400..<500:
            let detail = await Self.errorDetail(response)
            return .failed(.rejected("\(Self.redacted(url)) answered \(response.status.code) \(response.status.reasonPhrase)\(detail)"))
        default:
            return .broken("\(Self.redacted(url)) answered \(response.status.code) \(response.status.reasonPhrase)")
        }
        progress.withLock {
            $0.totalBytes = total
            $0.bytesWritten = offset
        }

        let handle: FileHandle
        do {
            if offset == 0 {
                _ = FileManager.default.createFile(atPath: partial.path, contents: nil)
            }
            handle = try FileHandle(forWritingTo: partial)
            try handle.truncate(atOffset: UInt64(offset))
            try handle.seek(toOffset: UInt64(offset))
        } catch {
            return .failed(.storage("cannot write \(partial.lastPathComponent): \(error)"))
        }
        defer { try? handle.close() }
        var written = offset
        do {
            for try await chunk in response.body {
                try await bandwidth.take(chunk.readableBytes)
                try chunk.withUnsafeReadableBytes { try handle.write(contentsOf: $0) }
                written += Int64(chunk.readableBytes)
                let received = Int64(chunk.readableBytes)
                let now = written
                progress.withLock {
                    $0.bytesWritten = now
                    $0.bytesReceived += received
                }
            }
        } catch {
            return .broken("the transfer broke after \(written) bytes: \(error)")
        }
        if let total, written < total {
            return .broken("the transfer ended after \(written) of \(total) bytes")
        }
        let final = written
        progress.withLock { $0.totalBytes = total ?? final }
        return .complete
    }

    /// Verifies the checksum and moves the data into place.
    private func finish(_ request: ImportRequest, partial: URL, progress: ImportProgressBox) throws(ImportFailure) {
        if let checksum = request.checksum {
            let expected = checksum.lowercased().hasPrefix("sha256:") ? String(checksum.dropFirst(7)).lowercased() : checksum
            let actual: String
            do {
                actual = try Self.sha256(of: partial)
            } catch {
                throw .storage("cannot read the image back: \(error)")
            }
            guard actual == expected else {
                try? FileManager.default.removeItem(at: partial)
                progress.withLock { $0.bytesWritten = 0 }
                throw .checksumMismatch(expected: checksum, actual: actual)
            }
        }
        let volume = store.volume(namespace: request.namespace, claim: request.claim)
        do {
            try? FileManager.default.removeItem(at: volume)
            try FileManager.default.moveItem(at: partial, to: volume)
        } catch {
            throw .storage("cannot move the image into place: \(error)")
        }
    }

    static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            hasher.update(data: data)
        }
        return S3RequestSigner.hex(hasher.finalize())
    }

    /// `bytes <start>-<end>/<total>` (total may be `*`).
    static func contentRange(_ header: String?) -> (start: Int64, total: Int64?)? {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(separator: "/")
        guard parts.count == 2, let start = parts[0].split(separator: "-").first.flatMap({ Int64($0) }) else { return nil }
        return (start, Int64(parts[1]))
    }

    /// `bytes */<total>` of a 416 answer.
    static func unsatisfiedRange(_ header: String?) -> Int64? {
        guard let header, header.hasPrefix("bytes */") else { return nil }
        return Int64(header.dropFirst(8))
    }

    /// The S3 error code of an error body (`NoSuchKey`, `AccessDenied` …), for the message.
    static func errorDetail(_ response: HTTPClientResponse) async -> String {
        guard let body = try? await response.body.collect(upTo: 64 << 10) else { return "" }
        let text = String(buffer: body)
        guard let start = text.range(of: "<Code>"), let end = text.range(of: "</Code>", range: start.upperBound..<text.endIndex)
        else { return "" }
        return " (\(text[start.upperBound ..< end.lowerBound]))"
    }

    /// The URL without its query (presigned URLs carry credentials there).
    static func redacted(_ url: URL) -> String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        components?.query = nil
        components?.user = nil
        components?.password = nil
        return components?.string ?? url.host ?? "the source"
    }
}

/// An import's progress, written by the import and read by its controller.
final class ImportProgressBox: Sendable {
    private let state: Mutex<ImportProgress>

    init(_ initial: ImportProgress = ImportProgress()) {
        state = Mutex(initial)
    }

    func withLock<T: Sendable>(_ body: (inout ImportProgress) -> T) -> T {
        state.withLock { body(&$0) }
    }
}

import Crypto
import Foundation

/// AWS Signature Version 4 for S3 GETs, as the AWS SDKs sign them: the canonical request
/// (method, the path as sent, sorted query, the signed headers, the payload hash), the string
/// to sign over the date/region/service scope, and the key derived from the secret by four
/// HMAC-SHA256 steps.
///
/// S3 paths are signed exactly as they go on the wire (no normalisation or second encoding),
/// which is where S3 differs from the other AWS services.
public struct S3RequestSigner: Sendable {
    public var accessKeyID: String
    public var secretKey: String
    public var region: String
    public var service = "s3"

    /// The hash S3 accepts in place of the payload's over HTTPS.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of nothing: a GET's body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public init(accessKeyID: String, secretKey: String, region: String) {
        self.accessKeyID = accessKeyID
        self.secretKey = secretKey
        self.region = region
    }

    /// The headers to add to a request for `url`: `x-amz-date`, `x-amz-content-sha256` and
    /// `Authorization`. `headers` are the request's other headers (Range …); all of them are signed.
    public func sign(
        method: String = "GET", url: URL, headers: [(String, String)] = [], date: Date = Date(),
        payloadHash: String = S3RequestSigner.emptyPayloadHash
    ) -> [(String, String)] {
        let timestamp = Self.timestamp(date)
        let day = String(timestamp.prefix(8))
        var signed: [(String, String)] = headers.map { ($0.0.lowercased(), Self.trim($0.1)) }
        if !signed.contains(where: { $0.0 == "host" }) { signed.append(("host", Self.host(url))) }
        signed.append(("x-amz-content-sha256", payloadHash))
        signed.append(("x-amz-date", timestamp))
        signed.sort { $0.0 < $1.0 }
        let signedHeaders = signed.map(\.0).joined(separator: ";")
        let canonicalRequest = [
            method.uppercased(),
            Self.canonicalPath(url),
            Self.canonicalQuery(url),
            signed.map { "\($0.0):\($0.1)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(secretKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return [("x-amz-date", timestamp), ("x-amz-content-sha256", payloadHash), ("Authorization", authorization)]
    }

    /// The region an S3 URL names (`s3.<region>.amazonaws.com`, `s3-<region>.amazonaws.com`,
    /// `<bucket>.s3.<region>.amazonaws.com`); us-east-1 for the global endpoint and for custom
    /// endpoints (MinIO, Ceph, moto), which ignore it.
    public static func region(of url: URL) -> String {
        guard let host = url.host?.lowercased(), host.hasSuffix(".amazonaws.com") else { return "us-east-1" }
        let labels = host.dropLast(".amazonaws.com".count).split(separator: ".").map(String.init)
        guard let s3 = labels.lastIndex(where: { $0 == "s3" || $0.hasPrefix("s3-") }) else { return "us-east-1" }
        if labels[s3].hasPrefix("s3-") { return String(labels[s3].dropFirst(3)) }
        let rest = labels[(s3 + 1)...].filter { $0 != "dualstack" && $0 != "accelerate" }
        return rest.last ?? "us-east-1"
    }

    /// `s3://bucket/key` as the virtual-hosted HTTPS URL of AWS's global endpoint; any other
    /// URL unchanged (path-style and virtual-hosted URLs are requested as given).
    public static func requestURL(_ url: URL) -> URL {
        guard url.scheme?.lowercased() == "s3", let bucket = url.host else { return url }
        let path = encodedPath(url)
        return URL(string: "https://\(bucket).s3.amazonaws.com\(path.isEmpty ? "/" : path)") ?? url
    }

    static func host(_ url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port else { return host }
        let scheme = url.scheme?.lowercased()
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return host }
        return "\(host):\(port)"
    }

    static func encodedPath(_ url: URL) -> String {
        URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? url.path
    }

    static func canonicalPath(_ url: URL) -> String {
        let path = encodedPath(url)
        return path.isEmpty ? "/" : encode(path, keeping: "/%")
    }

    static func canonicalQuery(_ url: URL) -> String {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery, !query.isEmpty
        else { return "" }
        var pairs: [(name: String, value: String)] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let name = parts[0].removingPercentEncoding ?? parts[0]
            let value = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
            pairs.append((encode(name), encode(value)))
        }
        pairs.sort { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters and `keeping`.
    static func encode(_ text: String, keeping: String = "") -> String {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        allowed.insert(charactersIn: keeping)
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func trim(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

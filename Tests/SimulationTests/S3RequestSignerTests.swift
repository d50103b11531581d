import Foundation
import Testing

@testable import Simulation

/// The SigV4 signer against botocore's own signer on the same requests: a signature botocore
/// would not produce would be refused by S3 (moto, which the integration test uses, does not
/// check signatures by default).
@Suite struct S3RequestSignerTests {
    struct Case: Codable, Sendable {
        var url: String
        var headers: [String: String]
        var payloadHash: String
        var region: String
    }

    static let cases = [
        Case(
            url: "http://127.0.0.1:9000/images/disk.img", headers: [:], payloadHash: S3RequestSigner.emptyPayloadHash,
            region: "us-east-1"),
        Case(
            url: "https://vm-images.s3.eu-west-1.amazonaws.com/lab%20151/attacker.qcow2",
            headers: ["Range": "bytes=1048576-"], payloadHash: S3RequestSigner.unsignedPayload, region: "eu-west-1"),
        Case(
            url: "https://s3.us-gov-west-1.amazonaws.com/uki-lrn-vm-images/images/lab-151/1.0.0/attacker.qcow2",
            headers: [:], payloadHash: S3RequestSigner.unsignedPayload, region: "us-gov-west-1"),
        Case(
            url: "http://localhost:5000/bucket/k.img?versionId=3%2Fx&partNumber=1", headers: ["Range": "bytes=0-"],
            payloadHash: S3RequestSigner.emptyPayloadHash, region: "us-east-1"),
    ]

    static let date = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func signaturesMatchBotocore() throws {
        let ours = Self.cases.map { testCase -> String in
            let signer = S3RequestSigner(
                accessKeyID: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                region: testCase.region)
            let headers = signer.sign(
                url: URL(string: testCase.url)!, headers: testCase.headers.map { ($0.key, $0.value) },
                date: Self.date, payloadHash: testCase.payloadHash)
            return headers.first { $0.0 == "Authorization" }?.1 ?? ""
        }
        let theirs = try botocoreAuthorizations(Self.cases, timestamp: S3RequestSigner.timestamp(Self.date))
        #expect(ours.count == Self.cases.count)
        for (index, pair) in zip(ours, theirs).enumerated() {
            #expect(pair.0 == pair.1, "case \(index): \(Self.cases[index].url)")
        }
        #expect(ours.allSatisfy { $0.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261118/") })
    }

    @Test func regionsComeFromTheHost() {
        let regions = [
            "https://s3.amazonaws.com/b/k": "us-east-1",
            "https://b.s3.amazonaws.com/k": "us-east-1",
            "https://s3.us-gov-west-1.amazonaws.com/b/k": "us-gov-west-1",
            "https://b.s3.eu-central-1.amazonaws.com/k": "eu-central-1",
            "https://s3-ap-southeast-2.amazonaws.com/b/k": "ap-southeast-2",
            "https://b.s3.dualstack.us-west-2.amazonaws.com/k": "us-west-2",
            "http://127.0.0.1:9000/b/k": "us-east-1",
            "https://minio.internal/b/k": "us-east-1",
        ]
        for (url, region) in regions {
            #expect(S3RequestSigner.region(of: URL(string: url)!) == region, "\(url)")
        }
        #expect(
            S3RequestSigner.requestURL(URL(string: "s3://bucket/dir/disk.img")!).absoluteString
                == "https://bucket.s3.amazonaws.com/dir/disk.img")
    }

    @Test func contentRangesParse() {
        #expect(Importer.contentRange("bytes 100-199/200").map { [$0.start, $0.total ?? -1] } == [100, 200])
        #expect(Importer.contentRange("bytes 0-9/*").map { [$0.start, $0.total ?? -1] } == [0, -1])
        #expect(Importer.contentRange("items 0-9/10") == nil)
        #expect(Importer.unsatisfiedRange("bytes */4096") == 4096)
    }

    /// botocore's S3SigV4Auth on the same requests, at the same time.
    private func botocoreAuthorizations(_ cases: [Case], timestamp: String) throws -> [String] {
        let script = """
            import json, sys
            from botocore.auth import S3SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            request = json.load(sys.stdin)
            out = []
            for case in request["cases"]:
                creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
                auth = S3SigV4Auth(creds, "s3", case["region"])
                req = AWSRequest(method="GET", url=case["url"], headers=dict(case["headers"]))
                req.context["timestamp"] = request["timestamp"]
                req.headers["X-Amz-Date"] = request["timestamp"]
                req.headers["X-Amz-Content-SHA256"] = case["payloadHash"]
                canonical = auth.canonical_request(req)
                signature = auth.signature(auth.string_to_sign(req, canonical), req)
                signed = auth.signed_headers(auth.headers_to_sign(req))
                out.append("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s"
                           % ("AKIDEXAMPLE", auth.credential_scope(req), signed, signature))
            json.dump(out, sys.stdout)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        struct Request: Codable {
            var cases: [Case]
            var timestamp: String
        }
        input.fileHandleForWriting.write(try JSONEncoder().encode(Request(cases: cases, timestamp: timestamp)))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BotocoreFailure(message: "python3 with botocore failed (scripts/install-test-deps installs it): \(problem)")
        }
        return try JSONDecoder().decode([String].self, from: data)
    }

    struct BotocoreFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

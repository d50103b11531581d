import Foundation
import VirtyardTesting

/// The system's `openssl`, to check the PKI with a tool that shares no code with it.
enum OpenSSL {
    /// Runs a shell pipeline with the PEM files written first; returns standard output.
    static func shell(_ script: String, files: [String: String]) throws -> String {
        let directory = try TemporaryDirectory()
        for (name, text) in files { try directory.write(name, text) }
        let outcome = try SharedTools.runProcess("/bin/sh", ["-c", script], in: directory.path)
        return outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// kubeadm's documented way to compute `--discovery-token-ca-cert-hash` from `ca.crt`.
    static func caCertHash(_ certificatePEM: String) throws -> String {
        let hex = try shell(
            "openssl x509 -pubkey -noout -in ca.crt | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex | sed 's/^.* //'",
            files: ["ca.crt": certificatePEM])
        return "sha256:" + hex
    }

    static func text(_ certificatePEM: String) throws -> String {
        try shell("openssl x509 -noout -text -in c.pem", files: ["c.pem": certificatePEM])
    }
}

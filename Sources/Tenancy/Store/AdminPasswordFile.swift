import Foundation

/// `<data-dir>/vcd-admin-password`: the System administrator's password, generated at first
/// start and readable by the operator alone (mode 0600).
///
/// Deleting the file and restarting sets a new password: the file is the way back in.
public struct AdminPasswordFile: Sendable {
    public var path: String
    public var password: String
    /// True when this start generated the password (the stored hash must then follow it).
    public var generated: Bool
    /// True when the operator provides the file (`--vcd-admin-password-file`, a mounted
    /// Secret shared by every replica): the stored hash follows it whenever they differ.
    public var providedByOperator = false

    public static let fileName = "vcd-admin-password"

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads the file, or creates it with a new random password.
    public static func loadOrCreate(dataDirectory: String) throws -> AdminPasswordFile {
        let path = (dataDirectory as NSString).appendingPathComponent(fileName)
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let password = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard password.count >= 8 else {
                throw Failure(description: "\(path) holds no usable password (8 characters at least); delete it to generate a new one")
            }
            // Whoever made it, it must stay private.
            chmod(path, 0o600)
            return AdminPasswordFile(path: path, password: password, generated: false)
        }
        let password = generatePassword()
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array((password + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return AdminPasswordFile(path: path, password: password, generated: true)
    }

    /// A password file the operator provides (a mounted Secret): read, never written; at least
    /// 8 characters, surrounding white space ignored.
    public static func load(path: String) throws -> AdminPasswordFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "cannot read the System administrator's password from \(path)")
        }
        let password = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard password.count >= 8 else {
            throw Failure(description: "\(path) holds no usable password (8 characters at least)")
        }
        var file = AdminPasswordFile(path: path, password: password, generated: false)
        file.providedByOperator = true
        return file
    }

    /// 24 characters from an alphabet without look-alikes: about 140 bits.
    static func generatePassword() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}

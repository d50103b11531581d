import Crypto
import Foundation
import _CryptoExtras

/// A salted scrypt hash of a password, in the one form Virtyard stores:
/// `scrypt$<log2 N>$<r>$<p>$<salt, base64>$<key, base64>`.
///
/// The cost parameters travel with the hash, so raising them later does not invalidate the
/// passwords already stored. The clear password is never kept or logged.
public struct PasswordHash: Sendable, Equatable, CustomStringConvertible {
    /// log2 of scrypt's N: 2^15 with r = 8 takes 32 MiB and some tens of milliseconds.
    public var costExponent: Int
    public var blockSize: Int
    public var parallelism: Int
    public var salt: [UInt8]
    public var key: [UInt8]

    public struct Malformed: Error, CustomStringConvertible {
        public var description: String { "the stored password hash is not in the form scrypt$logN$r$p$salt$key" }
    }

    static let keyLength = 32
    static let saltLength = 16
    /// Hashes with parameters outside these bounds are refused rather than computed: a
    /// tampered Secret must not make a login take minutes or gigabytes.
    static let costBounds = 10...20
    static let blockSizeBounds = 1...16
    static let parallelismBounds = 1...4

    /// Hashes `password` with a fresh random salt.
    public init(hashing password: String, costExponent: Int = 15, blockSize: Int = 8, parallelism: Int = 1) throws {
        var salt = [UInt8](repeating: 0, count: Self.saltLength)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        self.costExponent = costExponent
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.salt = salt
        self.key = try Self.derive(password, salt: salt, costExponent: costExponent, blockSize: blockSize, parallelism: parallelism)
    }

    /// Parses the stored form.
    public init(parsing text: String) throws(Malformed) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
            let cost = Int(parts[1]), Self.costBounds.contains(cost),
            let blockSize = Int(parts[2]), Self.blockSizeBounds.contains(blockSize),
            let parallelism = Int(parts[3]), Self.parallelismBounds.contains(parallelism),
            let salt = Data(base64Encoded: String(parts[4])), salt.count >= 8,
            let key = Data(base64Encoded: String(parts[5])), key.count == Self.keyLength
        else { throw Malformed() }
        self.costExponent = cost
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.salt = Array(salt)
        self.key = Array(key)
    }

    /// The stored form.
    public var description: String {
        "scrypt$\(costExponent)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether `password` is the one hashed; compares in constant time.
    public func verify(_ password: String) -> Bool {
        guard
            let candidate = try? Self.derive(
                password, salt: salt, costExponent: costExponent, blockSize: blockSize, parallelism: parallelism)
        else { return false }
        return ConstantTime.equal(candidate, key)
    }

    /// Spends the time one verification takes, for a user that does not exist: a login must
    /// not tell "no such user" from "wrong password" by how long it took.
    public static func spendVerificationTime(_ password: String) {
        _ = try? derive(password, salt: [UInt8](repeating: 0, count: saltLength), costExponent: 15, blockSize: 8, parallelism: 1)
    }

    private static func derive(
        _ password: String, salt: [UInt8], costExponent: Int, blockSize: Int, parallelism: Int
    ) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: keyLength,
            rounds: 1 << costExponent, blockSize: blockSize, parallelism: parallelism)
        return key.withUnsafeBytes { Array($0) }
    }
}

/// Comparisons whose duration does not depend on where the inputs differ.
public enum ConstantTime {
    public static func equal(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

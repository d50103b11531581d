import Crypto
import Foundation

/// The SHA-256 of a text, for ids derived from names.
struct SHA256Digest {
    let bytes: [UInt8]

    init(_ text: String) {
        bytes = Array(SHA256.hash(data: Data(text.utf8)))
    }
}

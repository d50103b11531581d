/// Bytes as lowercase hexadecimal text, two digits each (tokens, UIDs).
enum LowercaseHex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func append(_ byte: UInt8, to text: inout [UInt8]) {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }
}

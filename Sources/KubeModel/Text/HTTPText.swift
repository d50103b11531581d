extension StringProtocol {
    /// Without leading and trailing spaces and tabs: the optional whitespace around HTTP
    /// header values and their parameters (RFC 9110 §5.6.3). Foundation's
    /// `trimmingCharacters(in:)` bridges through `NSString` and showed in the profile of
    /// every request.
    public func trimmingHTTPWhitespace() -> SubSequence {
        var text = self[...]
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}

public enum HTTPMediaType {
    /// The media type of a `Content-Type` value without its parameters, in lowercase
    /// (`Application/JSON; charset=utf-8` → `application/json`).
    public static func essence(of contentType: String) -> String {
        // Most requests send the essence already (`application/json`): kept as it is.
        let alreadyEssence = contentType.utf8.allSatisfy { byte in
            byte != UInt8(ascii: ";") && byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t")
                && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) && byte < 0x80
        }
        if alreadyEssence { return contentType }
        let essence = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return essence.trimmingHTTPWhitespace().lowercased()
    }
}

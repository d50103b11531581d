import HTTPTypes

extension HTTPFields {
    /// The first value of the field `name`, as Go's `Header.Get` reads a request header.
    /// Subscripting by name joins every value of the field instead, through generic
    /// sequence code that showed in the profile of every request.
    func firstValue(for name: HTTPField.Name) -> String? {
        first { $0.name == name }?.value
    }
}

import KubeModel

/// A cloudapi page request (`page`, `pageSize`, and ssvirt's `page_size`) and the page it
/// selects, answered as `{resultTotal, pageCount, page, pageSize, associations, values}`.
public struct Paging: Sendable, Equatable {
    public var page: Int
    public var pageSize: Int

    /// Cloud Director's default and largest page sizes.
    public static let defaultPageSize = 25
    public static let maximumPageSize = 128

    public init(page: Int = 1, pageSize: Int = Paging.defaultPageSize) {
        self.page = page
        self.pageSize = pageSize
    }

    /// Reads the query; a value that is not a positive integer is a 400, a page size above
    /// the maximum is lowered to it (as Cloud Director does).
    public init(query: (String) -> String?) throws(VCDError) {
        func number(_ name: String) throws(VCDError) -> Int? {
            guard let text = query(name) else { return nil }
            guard let value = Int(text), value >= 1 else {
                throw .badRequest("\(name) must be a positive integer, not \"\(text.prefix(32))\".")
            }
            return value
        }
        // `??` takes autoclosures that cannot throw a typed error: one read at a time.
        let vcdSize = try number("pageSize")
        let ssvirtSize = try number("page_size")
        let page = try number("page")
        self.init(page: page ?? 1, pageSize: min(vcdSize ?? ssvirtSize ?? Self.defaultPageSize, Self.maximumPageSize))
    }

    /// The page of `items` this request selects, in the paged shape.
    public func page(of items: [JSONValue]) -> JSONValue {
        let total = items.count
        let start = min((page - 1).multipliedReportingOverflow(by: pageSize).overflow ? total : (page - 1) * pageSize, total)
        let values = Array(items[start..<min(start + pageSize, total)])
        return [
            "resultTotal": .int(Int64(total)), "pageCount": .int(Int64((total + pageSize - 1) / pageSize)),
            "page": .int(Int64(page)), "pageSize": .int(Int64(pageSize)), "associations": [], "values": .array(values),
        ]
    }
}

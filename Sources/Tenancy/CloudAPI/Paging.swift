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
        page(values: Array(items[range(total: items.count)]), total: items.count)
    }

    /// The positions this request selects among `total` items (empty past the last page).
    public func range(total: Int) -> Range<Int> {
        let start = min((page - 1).multipliedReportingOverflow(by: pageSize).overflow ? total : (page - 1) * pageSize, total)
        return start..<min(start + pageSize, total)
    }

    /// A page already selected (``range(total:)``) from `total` items, in the paged shape.
    public func page(values: [JSONValue], total: Int) -> JSONValue {
        [
            "resultTotal": .int(Int64(total)), "pageCount": .int(Int64((total + pageSize - 1) / pageSize)),
            "page": .int(Int64(page)), "pageSize": .int(Int64(pageSize)), "associations": [], "values": .array(values),
        ]
    }
}

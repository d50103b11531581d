import Foundation
import Hummingbird

/// `GET /api/query`: without `type`, the `QueryList` of every type and format (pyvcloud maps
/// `(media type, type name)` to these hrefs); with `type`, one page of records of a
/// registered ``RecordQuery``, filtered, sorted and paged the same way for every type.
struct QueryRoutes: Sendable {
    let queries: [any RecordQuery]
    let address: PublicAddress

    func register(on router: Router<VCDRequestContext>) {
        router.get("/api/query") { request, context in
            let session = try context.requireSession()
            let parameters = QueryParameters(rawQuery: request.uri.query ?? "")
            guard let type = parameters.value("type") else {
                return XMLResponse.make(queryList(), mediaType: MediaType.queryList, version: context.apiVersion)
            }
            guard let query = queries.first(where: { $0.types.contains(type) }) else {
                throw VCDError.badRequest("Unknown query type \"\(type.prefix(64))\".")
            }
            let request = try QueryRequest(parameters)
            let page: (records: [QueryRecord], total: Int)
            if let twoStep = query as? any TwoStepRecordQuery, twoStep.canSelectDrafts(request) {
                page = try await twoStep.select(request, type: type, for: session.principal)
            } else {
                page = request.select(try await query.records(type: type, for: session.principal))
            }
            return XMLResponse.make(
                QueryDocuments.result(page, request: request, parameters: parameters, address: address),
                mediaType: request.format.mediaType, version: context.apiVersion)
        }
    }

    /// `<QueryList>`: a `down` link per type and format, href `/api/query?type=T&format=F`.
    func queryList() -> XMLNode {
        let types = queries.flatMap(\.types)
        return XMLNode(
            "QueryList",
            [("xmlns", MediaType.vcloudNamespace), ("href", address.href("/api/query")), ("type", MediaType.queryList)],
            children: types.flatMap { type in
                QueryFormat.allCases.map { format in
                    XMLNode(
                        "Link",
                        [
                            ("rel", "down"), ("href", address.href("/api/query?type=\(type)&format=\(format.rawValue)")),
                            ("name", type), ("type", format.mediaType),
                        ])
                }
            })
    }
}

/// The query string as sent: decoded values for reading, raw pairs for building page links
/// that carry the client's filter unchanged.
struct QueryParameters: Sendable {
    var pairs: [(name: String, raw: String)]

    static let maximumPairs = 64

    init(rawQuery: String) {
        pairs = rawQuery.split(separator: "&", omittingEmptySubsequences: true).prefix(Self.maximumPairs).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            return (name, parts.count > 1 ? String(parts[1]) : "")
        }
    }

    /// The decoded value of the first `name`; a value that is not valid percent-encoding is
    /// returned raw (the parser of that value then refuses it).
    func value(_ name: String) -> String? {
        guard let raw = pairs.first(where: { $0.name == name })?.raw else { return nil }
        return raw.removingPercentEncoding ?? raw
    }

    /// The same query with `page` replaced.
    func with(page: Int) -> String {
        (pairs.filter { $0.name != "page" }.map { "\($0.name)=\($0.raw)" } + ["page=\(page)"]).joined(separator: "&")
    }
}

/// A parsed `/api/query` request: format, filter, sort and page.
struct QueryRequest: Sendable {
    var type: String
    var format: QueryFormat
    var filter: QueryFilter?
    var sort: (field: String, ascending: Bool)?
    var page: Int
    var pageSize: Int

    /// Cloud Director's default and largest page sizes.
    static let defaultPageSize = 25
    static let maximumPageSize = 128

    init(_ parameters: QueryParameters) throws(VCDError) {
        type = parameters.value("type") ?? ""
        let formatText = parameters.value("format") ?? QueryFormat.references.rawValue
        guard let format = QueryFormat(rawValue: formatText) else {
            throw .badRequest("Unknown query format \"\(formatText.prefix(32))\": use records, idrecords or references.")
        }
        self.format = format
        if let text = parameters.value("filter"), !text.isEmpty {
            do {
                filter = try QueryFilter(parsing: text, valuesEncoded: parameters.value("filterEncoded")?.lowercased() == "true")
            } catch {
                throw .badRequest("Bad filter: \(error.description)")
            }
        }
        if let field = parameters.value("sortAsc") {
            sort = (field, true)
        } else if let field = parameters.value("sortDesc") {
            sort = (field, false)
        }
        func number(_ name: String, _ fallback: Int) throws(VCDError) -> Int {
            guard let text = parameters.value(name) else { return fallback }
            guard let value = Int(text), value >= 1, value <= 1_000_000 else {
                throw .badRequest("\(name) must be a positive integer, not \"\(text.prefix(32))\".")
            }
            return value
        }
        page = try number("page", 1)
        pageSize = min(try number("pageSize", Self.defaultPageSize), Self.maximumPageSize)
    }

    /// The records of this page, and how many passed the filter.
    func select(_ records: [QueryRecord]) -> (records: [QueryRecord], total: Int) {
        var passing = records
        if let filter { passing = passing.filter { record in filter.matches { record.value(of: $0) } } }
        if let sort {
            passing.sort { left, right in
                let order = QueryFilter.order(
                    QueryFilter.comparable(left.value(of: sort.field) ?? ""), QueryFilter.comparable(right.value(of: sort.field) ?? ""))
                return sort.ascending ? order < 0 : order > 0
            }
        } else {
            passing.sort { ($0.name.lowercased(), $0.id) < ($1.name.lowercased(), $1.id) }
        }
        let start = min((page - 1) * pageSize, passing.count)
        return (Array(passing[start..<min(start + pageSize, passing.count)]), passing.count)
    }
}

/// The documents of `/api/query`: `QueryResultRecords` or `References`.
enum QueryDocuments {
    static func result(
        _ page: (records: [QueryRecord], total: Int), request: QueryRequest, parameters: QueryParameters, address: PublicAddress
    ) -> XMLNode {
        var links: [XMLNode] = []
        if request.page > 1 {
            links.append(
                XMLNode(
                    "Link",
                    [
                        ("rel", "previousPage"), ("type", request.format.mediaType),
                        ("href", address.href("/api/query?" + parameters.with(page: request.page - 1))),
                    ]))
        }
        if request.page * request.pageSize < page.total {
            links.append(
                XMLNode(
                    "Link",
                    [
                        ("rel", "nextPage"), ("type", request.format.mediaType),
                        ("href", address.href("/api/query?" + parameters.with(page: request.page + 1))),
                    ]))
        }
        let body: [XMLNode] = page.records.map { record in
            switch request.format {
            case .references:
                return XMLNode(
                    record.referenceElement,
                    [("href", record.href), ("id", record.id), ("name", record.name), ("type", record.mediaType)])
            case .records, .idrecords:
                let identity: [(String, String?)] =
                    request.format == .records ? [("href", record.href), ("id", record.id)] : [("id", record.id), ("href", record.href)]
                return XMLNode(record.element, [("name", record.name)] + identity + record.fields.map { ($0.name, $0.value) })
            }
        }
        return XMLNode(
            request.format == .references ? "References" : "QueryResultRecords",
            [
                ("xmlns", MediaType.vcloudNamespace), ("name", request.type), ("page", String(request.page)),
                ("pageSize", String(request.pageSize)), ("total", String(page.total)),
                ("href", address.href("/api/query?" + parameters.with(page: request.page))), ("type", request.format.mediaType),
            ],
            children: links + body)
    }
}

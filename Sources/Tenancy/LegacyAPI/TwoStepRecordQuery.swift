/// A ``RecordQuery`` whose records are costly to complete (a vApp's joins its VMs): drafts
/// with the fields known beforehand are filtered, sorted and paged, and only the page is
/// completed. A request that filters or sorts on a field only complete records have takes
/// the one-step path (``RecordQuery/records(type:for:)``), with the same answer.
protocol TwoStepRecordQuery: RecordQuery {
    /// What completing one record needs.
    associatedtype Draft: Sendable

    /// The attributes a draft record holds with their final values.
    var draftFields: Set<String> { get }

    /// Every record of `type` that `principal` may see, as drafts.
    func drafts(type: String, for principal: Principal) async throws(VCDError) -> [(record: QueryRecord, draft: Draft)]

    /// The complete records of these drafts, in their order.
    func complete(_ drafts: [Draft], type: String) async throws(VCDError) -> [QueryRecord]
}

extension TwoStepRecordQuery {
    /// Whether the request's filter and sort need only ``draftFields``.
    func canSelectDrafts(_ request: QueryRequest) -> Bool {
        var used = request.filter?.fields ?? []
        if let sort = request.sort { used.insert(sort.field) }
        return used.isSubset(of: draftFields)
    }

    /// The request's page, completed, and how many records passed its filter.
    func select(_ request: QueryRequest, type: String, for principal: Principal) async throws(VCDError)
        -> (records: [QueryRecord], total: Int)
    {
        let drafts = try await self.drafts(type: type, for: principal)
        let page = request.select(drafts.map(\.record))
        // Selecting keeps the records whole: their ids (URNs) find their drafts again.
        let byID = Dictionary(drafts.map { ($0.record.id, $0.draft) }, uniquingKeysWith: { first, _ in first })
        return (try await complete(page.records.compactMap { byID[$0.id] }, type: type), page.total)
    }
}

extension QueryFilter {
    /// Every attribute the filter compares.
    var fields: Set<String> {
        switch self {
        case .comparison(let field, _, _): [field]
        case .all(let parts), .any(let parts): parts.reduce(into: []) { $0.formUnion($1.fields) }
        }
    }
}

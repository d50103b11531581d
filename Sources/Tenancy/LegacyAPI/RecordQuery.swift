/// One query type family of `GET /api/query` (`?type=adminRole`, `?type=vApp`, …).
///
/// A conformer only says which records exist for a caller; ``QueryRoutes`` parses the
/// request, filters (``QueryFilter``), sorts, pages and renders them in the asked format, so
/// every type behaves the same. Modules register theirs through `VCDRouter.make(queries:)`.
public protocol RecordQuery: Sendable {
    /// The `type` names answered (`["adminRole", "role"]`), case-sensitive as Cloud Director's.
    var types: [String] { get }

    /// Every record of `type` that `principal` may see, in any order. Visibility is decided
    /// here (another organisation's records are simply absent); throw ``VCDError`` for a caller
    /// who may not run this type at all (e.g. an `admin…` type asked by a tenant: 403).
    func records(type: String, for principal: Principal) async throws(VCDError) -> [QueryRecord]
}

/// A record as a query answers it: `<{element} href id name …fields/>` in the `records`
/// format, `<{reference} href id name type/>` in the `references` format.
public struct QueryRecord: Sendable, Equatable {
    /// The records-format element, e.g. `AdminUserRecord`, `OrgVdcRecord`.
    public var element: String
    /// The absolute `href` of the entity (`…/api/admin/user/<uuid>`).
    public var href: String
    /// Its URN (`urn:vcloud:user:<uuid>`): the `id` of the `idrecords` format.
    public var id: String
    public var name: String
    /// The entity's media type (the `type` of a reference).
    public var mediaType: String?
    /// Other attributes, in the order rendered; filterable and sortable by their names.
    public var fields: [Field]

    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(element: String, href: String, id: String, name: String, mediaType: String? = nil, fields: [Field] = []) {
        self.element = element
        self.href = href
        self.id = id
        self.name = name
        self.mediaType = mediaType
        self.fields = fields
    }

    /// The value of an attribute by name (`name`, `href`, `id` or a field); nil when absent.
    public func value(of attribute: String) -> String? {
        switch attribute {
        case "name": return name
        case "href": return href
        case "id": return id
        default: return fields.first { $0.name == attribute }?.value
        }
    }

    /// The references-format element: `AdminUserRecord` → `AdminUserReference`.
    public var referenceElement: String {
        element.hasSuffix("Record") ? String(element.dropLast("Record".count)) + "Reference" : element + "Reference"
    }
}

/// The three result formats of `/api/query`.
public enum QueryFormat: String, Sendable, CaseIterable {
    case records, idrecords, references

    public var mediaType: String {
        switch self {
        case .records: MediaType.records
        case .idrecords: "application/vnd.vmware.vcloud.query.idrecords+xml"
        case .references: "application/vnd.vmware.vcloud.query.references+xml"
        }
    }
}

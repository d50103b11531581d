import KubeClient
import KubeModel

/// Catalogs (Catalog objects, one per organisation and name) and their items (Templates).
extension VAppStore {
    /// Every catalog, or an organisation's, in name order.
    func catalogs(organizationID: String? = nil) async throws(VCDError) -> [CatalogRecord] {
        let organizations = try await directory.organizations()
        let byObjectName = Dictionary(
            organizations.compactMap { organization in TenancyNames.organization(organization.name).map { ($0, organization) } },
            uniquingKeysWith: { first, _ in first })
        // Filtered on the spec, not a label: a Catalog made with kubectl counts the same.
        return try await list(.catalogs, nil).compactMap { object in
            guard let record = Self.catalogRecord(object), let owner = object["spec"]?["organization"]?.stringValue,
                byObjectName[owner]?.id == record.organizationID, organizationID == nil || organizationID == record.organizationID
            else { return nil }
            return record
        }.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    func catalog(id: String) async throws(VCDError) -> CatalogRecord? {
        guard TenancyNames.isUUID(id) else { return nil }
        return try await catalogs().first { $0.id == id }
    }

    /// Makes a catalog in `organization`; a name taken there (case-insensitive) is a 400.
    func createCatalog(name: String, description: String, in organization: OrganizationRecord, owner: Principal)
        async throws(VCDError) -> CatalogRecord
    {
        guard let organizationObject = TenancyNames.organization(organization.name) else {
            throw .badRequest("Organisation \(organization.name) cannot hold catalogs.")
        }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard TenancyNames.isDNSLabel(trimmed.lowercased()), organizationObject.utf8.count + 1 + trimmed.utf8.count <= 253 else {
            throw .badRequest(
                "Catalog name \"\(name.prefix(80))\" must be a DNS label once lower-cased (letters, digits and '-', at most 63).")
        }
        guard description.utf8.count <= 4096 else { throw .badRequest("The description is longer than 4096 bytes.") }
        let id = VAppIDs.fresh()
        let object: JSONValue = [
            "apiVersion": "virtyard.io/v1alpha1", "kind": "Catalog",
            "metadata": [
                "name": .string("\(organizationObject).\(trimmed.lowercased())"),
                "labels": .object([Self.organizationIDLabel: .string(organization.id), Self.managedByLabel: "virtyard"]),
            ],
            "spec": [
                "id": .string(id), "name": .string(trimmed), "organization": .string(organizationObject),
                "organizationID": .string(organization.id), "description": .string(description),
                "owner": .string(owner.userName), "sharedToEveryone": false, "everyoneAccessLevel": "ReadOnly",
            ],
        ]
        let created = try await create(
            .catalogs, nil, object, duplicate: .duplicateName("Catalog \(trimmed) already exists in \(organization.name)."))
        guard let record = Self.catalogRecord(created) else { throw .internalFailure }
        return record
    }

    /// Changes a catalog's description or sharing.
    func updateCatalog(_ catalog: CatalogRecord) async throws(VCDError) -> CatalogRecord? {
        guard let objectName = try await catalogObjectName(id: catalog.id) else { return nil }
        guard catalog.description.utf8.count <= 4096 else { throw .badRequest("The description is longer than 4096 bytes.") }
        let changed = try await patch(
            .catalogs, nil, objectName,
            [
                "spec": [
                    "description": .string(catalog.description), "sharedToEveryone": .bool(catalog.sharedToEveryone),
                    "everyoneAccessLevel": .string(catalog.everyoneAccessLevel),
                ]
            ])
        return changed ? try await self.catalog(id: catalog.id) : nil
    }

    /// Deletes a catalog; false when there is none. Its items (Templates) stay: they belong to
    /// the cluster, not to the catalog.
    func deleteCatalog(id: String) async throws(VCDError) -> Bool {
        guard let objectName = try await catalogObjectName(id: id) else { return false }
        try await delete(.catalogs, nil, objectName)
        return true
    }

    private func catalogObjectName(id: String) async throws(VCDError) -> String? {
        guard TenancyNames.isUUID(id) else { return nil }
        return try await list(.catalogs, nil).first { $0["spec"]?["id"]?.stringValue == id }?["metadata"]?["name"]?.stringValue
    }

    static func catalogRecord(_ object: JSONValue) -> CatalogRecord? {
        guard let spec = object["spec"], let id = spec["id"]?.stringValue, TenancyNames.isUUID(id),
            let name = spec["name"]?.stringValue, let organizationID = spec["organizationID"]?.stringValue
        else { return nil }
        return CatalogRecord(
            id: id, name: name, organizationID: organizationID, description: spec["description"]?.stringValue ?? "",
            ownerName: spec["owner"]?.stringValue ?? "", created: created(object),
            sharedToEveryone: spec["sharedToEveryone"]?.boolValue ?? false,
            everyoneAccessLevel: spec["everyoneAccessLevel"]?.stringValue ?? "ReadOnly")
    }

    // MARK: Items

    /// The Templates that are catalog items, in name order.
    func templates() async throws(VCDError) -> [TemplateRecord] {
        try await list(.openShiftTemplates, Self.templateNamespace, selector: Self.templateVersionLabel)
            .filter { Self.annotations($0)[Self.containerDisksAnnotation] != nil }
            .compactMap(TemplateObjects.record)
            .sorted { $0.name < $1.name }
    }

    /// The Template with this `metadata.uid`, as a record and as the object itself.
    func template(id: String) async throws(VCDError) -> (record: TemplateRecord, object: JSONValue)? {
        guard TenancyNames.isUUID(id) else { return nil }
        let objects = try await list(.openShiftTemplates, Self.templateNamespace, selector: Self.templateVersionLabel)
        guard let object = objects.first(where: { $0["metadata"]?["uid"]?.stringValue == id }),
            Self.annotations(object)[Self.containerDisksAnnotation] != nil, let record = TemplateObjects.record(object)
        else { return nil }
        return (record, object)
    }

    func items(of catalog: CatalogRecord) async throws(VCDError) -> [CatalogItemRecord] {
        try await templates().filter { Self.belongs($0, to: catalog) }.map { CatalogItemRecord(catalog: catalog, template: $0) }
    }

    /// Every item of these catalogs.
    func items(of catalogs: [CatalogRecord]) async throws(VCDError) -> [CatalogItemRecord] {
        let templates = try await self.templates()
        return catalogs.flatMap { catalog in
            templates.filter { Self.belongs($0, to: catalog) }.map { CatalogItemRecord(catalog: catalog, template: $0) }
        }
    }

    static func belongs(_ template: TemplateRecord, to catalog: CatalogRecord) -> Bool {
        template.catalogName.map { $0.lowercased() == catalog.name.lowercased() } ?? true
    }
}

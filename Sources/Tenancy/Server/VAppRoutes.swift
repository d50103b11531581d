import Hummingbird

/// The legacy API's vApps: `POST /api/vdc/{id}/action/instantiateVAppTemplate`,
/// `/api/vApp/vapp-{id}` (GET, DELETE, `power/action/powerOn|powerOff`, `metadata`,
/// `controlAccess`) and `/api/vApp/vm-{id}` (GET, power actions).
struct VAppRoutes: VAppRouteGroup {
    let access: VAppAccess
    let address: PublicAddress

    func register(on router: Router<VCDRequestContext>) {
        router.post("/api/vdc/{id}/action/instantiateVAppTemplate") { request, context in
            let principal = try context.requireSession().principal
            let vdc = try await access.vdc(context.parameters.get("id") ?? "", for: principal)
            let body = try await XMLBody.read(request, context: context, expecting: "InstantiateVAppTemplateParams")
            let instantiation = try Self.instantiateRequest(body)
            _ = try await access.template(instantiation.templateID, in: vdc.organizationID, for: principal)
            let (vApp, task) = try await store.instantiate(instantiation, in: vdc, by: principal)
            let taskNode = try await access.taskNode(task, address: address, root: false)
            return XMLResponse.make(
                VAppDocuments.vApp(vApp, tasks: [taskNode], address: address), mediaType: MediaType.vApp, version: context.apiVersion,
                status: .created, headers: [.location: address.href(VAppHrefs.vApp(vApp.id))])
        }
        router.get("/api/vApp/{id}") { _, context in
            let principal = try context.requireSession().principal
            let segment = context.parameters.get("id") ?? ""
            if let id = VAppAccess.id(segment, prefix: "vm-") {
                let (vApp, vm) = try await access.vm(id, for: principal)
                return XMLResponse.make(
                    VAppDocuments.vm(vm: vm, of: vApp, address: address, standalone: true), mediaType: MediaType.vm,
                    version: context.apiVersion)
            }
            let vApp = try await vAppOfPath(context)
            return XMLResponse.make(VAppDocuments.vApp(vApp, address: address), mediaType: MediaType.vApp, version: context.apiVersion)
        }
        router.delete("/api/vApp/{id}") { _, context in
            let principal = try context.requireSession().principal
            let vApp = try await vAppOfPath(context)
            return try await accepted(try await store.delete(vApp, by: principal), context)
        }
        router.post("/api/vApp/{id}/power/action/powerOn") { _, context in try await power(context, on: true) }
        router.post("/api/vApp/{id}/power/action/powerOff") { _, context in try await power(context, on: false) }
        // vcd-cli's `vapp undeploy` and pyvcloud's `VApp.undeploy`: powered off, as Virtyard has no other "deployed" state.
        router.post("/api/vApp/{id}/action/undeploy") { _, context in try await power(context, on: false) }
        router.post("/api/vApp/{id}/action/deploy") { _, context in try await power(context, on: true) }
        router.get("/api/vApp/{id}/metadata") { _, context in
            let vApp = try await vAppOfPath(context)
            return XMLResponse.make(
                VAppDocuments.metadata(vApp.metadata, href: address.href(VAppHrefs.vApp(vApp.id) + "/metadata")),
                mediaType: MediaType.metadata, version: context.apiVersion)
        }
        router.post("/api/vApp/{id}/metadata") { request, context in
            let principal = try context.requireSession().principal
            let vApp = try await vAppOfPath(context)
            let body = try await XMLBody.read(request, context: context, expecting: "Metadata")
            var entries: [String: String] = [:]
            for entry in body.children where entry.name == "MetadataEntry" {
                guard let key = entry.text(of: "Key"), !key.isEmpty, key.utf8.count <= 256 else {
                    throw VCDError.badRequest("Every <MetadataEntry> needs a <Key> of 1 to 256 bytes.")
                }
                guard let value = entry.child("TypedValue")?.text(of: "Value"), value.utf8.count <= 4096 else {
                    throw VCDError.badRequest("<MetadataEntry> \(key.prefix(64)) needs a <TypedValue><Value> of at most 4096 bytes.")
                }
                entries[key] = value
            }
            guard !entries.isEmpty else { throw VCDError.badRequest("<Metadata> has no <MetadataEntry>.") }
            return try await accepted(try await store.setMetadata(entries, of: vApp, by: principal), context)
        }
        router.delete("/api/vApp/{id}/metadata/{key}") { _, context in
            let principal = try context.requireSession().principal
            let vApp = try await vAppOfPath(context)
            let key = context.parameters.get("key") ?? ""
            return try await accepted(try await store.removeMetadata(key, of: vApp, by: principal), context)
        }
        router.get("/api/vApp/{id}/controlAccess") { _, context in
            accessDocument(try await vAppOfPath(context), context)
        }
        router.post("/api/vApp/{id}/action/controlAccess") { request, context in
            let vApp = try await vAppOfPath(context)
            let params = try await ControlAccessParams.read(request, context: context)
            return accessDocument(
                try await store.setSharing(of: vApp, toEveryone: params.sharedToEveryone, level: params.everyoneAccessLevel), context)
        }
    }

    /// The `InstantiateVAppTemplateParams` pyvcloud's `VDC.instantiate_vapp` sends: `name`,
    /// `powerOn`, `Description`, and `Source@href` naming the vApp template.
    static func instantiateRequest(_ body: XMLNode) throws(VCDError) -> InstantiateRequest {
        guard let name = body.attribute("name"), !name.isEmpty else {
            throw .badRequest("<InstantiateVAppTemplateParams> needs a name attribute.")
        }
        guard let href = body.child("Source")?.attribute("href") else {
            throw .badRequest("<InstantiateVAppTemplateParams> needs <Source href=…> naming a vApp template.")
        }
        let segment = href.split(separator: "/").last.map(String.init) ?? ""
        guard let templateID = VAppAccess.id(segment, prefix: "vappTemplate-") else {
            throw .badRequest("<Source href=\"\(href.prefix(120))\"> is not a vApp template (…/api/vAppTemplate/vappTemplate-<uuid>).")
        }
        let powerOn: Bool
        switch body.attribute("powerOn")?.lowercased() {
        case nil, "false", "0": powerOn = false
        case "true", "1": powerOn = true
        default: throw .badRequest("powerOn must be true or false.")
        }
        return InstantiateRequest(name: name, description: body.text(of: "Description") ?? "", templateID: templateID, powerOn: powerOn)
    }

    /// The vApp of `/api/vApp/vapp-{id}…`, visible to the caller.
    func vAppOfPath(_ context: VCDRequestContext) async throws -> VAppRecord {
        let principal = try context.requireSession().principal
        let segment = context.parameters.get("id") ?? ""
        guard let id = VAppAccess.id(segment, prefix: "vapp-") else { throw VCDError.notFound("No vApp \(segment.prefix(80)).") }
        return try await access.vApp(id, for: principal)
    }

    func power(_ context: VCDRequestContext, on: Bool) async throws -> Response {
        let principal = try context.requireSession().principal
        let segment = context.parameters.get("id") ?? ""
        if let id = VAppAccess.id(segment, prefix: "vm-") {
            let (vApp, vm) = try await access.vm(id, for: principal)
            return try await accepted(try await store.power(vm, of: vApp, on: on, by: principal), context)
        }
        let vApp = try await vAppOfPath(context)
        return try await accepted(try await store.power(vApp, on: on, by: principal), context)
    }

    /// 202 with the task that follows the operation.
    func accepted(_ task: TaskRecord, _ context: VCDRequestContext) async throws -> Response {
        XMLResponse.make(
            try await access.taskNode(task, address: address), mediaType: MediaType.task, version: context.apiVersion, status: .accepted,
            headers: [.location: address.href(VAppHrefs.task(task.id))])
    }

    func accessDocument(_ vApp: VAppRecord, _ context: VCDRequestContext) -> Response {
        accessDocument(sharedToEveryone: vApp.sharedToEveryone, level: vApp.everyoneAccessLevel, of: VAppHrefs.vApp(vApp.id), context)
    }
}

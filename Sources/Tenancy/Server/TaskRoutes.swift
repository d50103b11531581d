import Hummingbird

/// `GET /api/task/{id}` (what pyvcloud's task monitor polls) and the cloudapi's
/// `GET /cloudapi/1.0.0/tasks/{id}`: the status is worked out from the objects as it is read.
struct TaskRoutes: Sendable {
    let access: VAppAccess
    let address: PublicAddress

    func register(on router: Router<VCDRequestContext>) {
        router.get("/api/task/{id}") { _, context in
            let task = try await access.task(context.parameters.get("id") ?? "", for: try context.requireSession().principal)
            return XMLResponse.make(
                try await access.taskNode(task, address: address), mediaType: MediaType.task, version: context.apiVersion)
        }
        router.get("/cloudapi/1.0.0/tasks/{id}") { _, context in
            let principal = try context.requireSession().principal
            let id = try EntityID.uuid(context.parameters.get("id") ?? "", kind: "task")
            return SessionRoutes.json(VAppJSON.task(try await access.task(id, for: principal), address: address))
        }
    }
}

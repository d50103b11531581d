/// The legacy API's paths of catalogs, items, templates, vApps, VMs and tasks.
enum VAppHrefs {
    static func catalog(_ id: String) -> String { "/api/catalog/\(id)" }
    static func adminCatalog(_ id: String) -> String { "/api/admin/catalog/\(id)" }
    static func catalogItem(_ id: String) -> String { "/api/catalogItem/\(id)" }
    static func vAppTemplate(_ id: String) -> String { "/api/vAppTemplate/vappTemplate-\(id)" }
    static func templateVM(_ id: String) -> String { "/api/vAppTemplate/vm-\(id)" }
    static func vApp(_ id: String) -> String { "/api/vApp/vapp-\(id)" }
    static func vm(_ id: String) -> String { "/api/vApp/vm-\(id)" }
    static func task(_ id: String) -> String { "/api/task/\(id)" }
    static func vdc(_ id: String) -> String { "/api/vdc/\(id)" }
    static func org(_ id: String) -> String { "/api/org/\(id)" }
    static func user(_ id: String) -> String { "/api/admin/user/\(id)" }
}

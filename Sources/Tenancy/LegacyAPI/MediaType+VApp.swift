/// The media types of catalogs, vApps and tasks (clients pick links by `rel` and `type`).
extension MediaType {
    public static let catalog = "application/vnd.vmware.vcloud.catalog+xml"
    public static let catalogItem = "application/vnd.vmware.vcloud.catalogItem+xml"
    public static let vAppTemplate = "application/vnd.vmware.vcloud.vAppTemplate+xml"
    public static let vApp = "application/vnd.vmware.vcloud.vApp+xml"
    public static let vm = "application/vnd.vmware.vcloud.vm+xml"
    public static let task = "application/vnd.vmware.vcloud.task+xml"
    public static let tasksList = "application/vnd.vmware.vcloud.tasksList+xml"
    public static let metadata = "application/vnd.vmware.vcloud.metadata+xml"
    public static let metadataValue = "application/vnd.vmware.vcloud.metadata.value+xml"
    public static let controlAccess = "application/vnd.vmware.vcloud.controlAccess+xml"
    public static let owner = "application/vnd.vmware.vcloud.owner+xml"
    public static let networkConnectionSection = "application/vnd.vmware.vcloud.networkConnectionSection+xml"
    public static let adminUser = "application/vnd.vmware.admin.user+xml"

    public static let ovfNamespace = "http://schemas.dmtf.org/ovf/envelope/1"
    public static let rasdNamespace = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
    public static let xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"
}

/// The media types of the legacy API, as Cloud Director names them (clients pick links by
/// `rel` and `type`, so these must be exact).
public enum MediaType {
    public static let session = "application/vnd.vmware.vcloud.session+xml"
    public static let orgList = "application/vnd.vmware.vcloud.orgList+xml"
    public static let org = "application/vnd.vmware.vcloud.org+xml"
    public static let records = "application/vnd.vmware.vcloud.query.records+xml"
    public static let vdc = "application/vnd.vmware.vcloud.vdc+xml"
    public static let queryList = "application/vnd.vmware.vcloud.query.queryList+xml"
    public static let admin = "application/vnd.vmware.admin.vcloud+xml"
    public static let adminOrg = "application/vnd.vmware.admin.organization+xml"
    public static let adminVDC = "application/vnd.vmware.admin.vdc+xml"
    public static let user = "application/vnd.vmware.admin.user+xml"
    public static let role = "application/vnd.vmware.admin.role+xml"
    public static let adminCatalog = "application/vnd.vmware.admin.catalog+xml"
    public static let instantiateVAppTemplateParams = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"
    public static let error = "application/vnd.vmware.vcloud.error+xml"
    public static let versions = "application/xml"
    public static let json = "application/json"

    /// The namespace of every legacy API body but `/api/versions`.
    public static let vcloudNamespace = "http://www.vmware.com/vcloud/v1.5"
    public static let versionsNamespace = "http://www.vmware.com/vcloud/versions"
}

/// The media types of the legacy API, as Cloud Director names them (clients pick links by
/// `rel` and `type`, so these must be exact).
public enum MediaType {
    public static let session = "application/vnd.vmware.vcloud.session+xml"
    public static let orgList = "application/vnd.vmware.vcloud.orgList+xml"
    public static let org = "application/vnd.vmware.vcloud.org+xml"
    public static let records = "application/vnd.vmware.vcloud.query.records+xml"
    public static let vdc = "application/vnd.vmware.vcloud.vdc+xml"
    public static let error = "application/vnd.vmware.vcloud.error+xml"
    public static let versions = "application/xml"
    public static let json = "application/json"

    /// The namespace of every legacy API body but `/api/versions`.
    public static let vcloudNamespace = "http://www.vmware.com/vcloud/v1.5"
    public static let versionsNamespace = "http://www.vmware.com/vcloud/versions"
}

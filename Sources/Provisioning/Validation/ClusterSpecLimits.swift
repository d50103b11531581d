/// Bounds on everything a tenant sends in a cluster specification. The router bounds the
/// body's size; these bound what one specification can make the provisioner do and how much
/// the validator reports.
public enum ClusterSpecLimits {
    /// DNS label length: names become VM, Secret and label values.
    public static let nameLength = 63
    public static let nodeGroups = 20
    public static let nodesPerGroup = 1...100
    public static let nodesPerCluster = 200
    public static let cores = 1...128
    /// moxxie: at least 512 MB, at most 1 TB.
    public static let memoryMB = 512...1_048_576
    public static let diskGB = 1...65_536
    /// Root disk size when a group does not say.
    public static let defaultDiskGB = 20
    public static let services = 20
    public static let dependencies = 20
    public static let startupOrder = 0...10_000
    public static let versionLength = 64
    public static let imageReferenceLength = 512
    /// Bytes of JSON in one service's `configuration`, and in `validation`.
    public static let freeFormBytes = 16_384
    /// Nesting of `configuration` and `validation`.
    public static let freeFormDepth = 10
    /// Past this many violations the rest are summarised in one last entry, so a hostile
    /// specification (10,000 bad groups) gets a bounded answer.
    public static let maximumViolations = 100
}

extension ClusterVersion {
    /// Why a cluster at `self` cannot move to `target`, or nil when it can: the same
    /// distribution notation, no downgrade, and no skipped minor version (Kubernetes
    /// supports upgrading one minor at a time; OKD likewise between y-streams).
    public func upgradeRefusal(to target: ClusterVersion) -> String? {
        if target == self { return "the cluster already runs \(text)" }
        if target < self { return "\(target.text) is older than \(text): downgrades are not supported" }
        if target.major != major { return "\(target.text) changes the major version of \(text)" }
        if target.minor > minor + 1 {
            return "\(target.text) skips a minor version: upgrade to \(major).\(minor + 1) first"
        }
        return nil
    }
}

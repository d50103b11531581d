/// Whether the Kubernetes cluster inside a lab cluster's VMs answers. In embedded mode the
/// control-plane VM hosts a virtual cluster of the embedded server and the probe asks for it;
/// against a real cluster it asks the nested API server.
public protocol NestedClusterProbe: Sendable {
    func answers(clusterID: String) async -> Bool
}

/// For clusters whose VMs are trusted to come up with them (no probe configured).
public struct RunningVMsAnswer: NestedClusterProbe {
    public init() {}
    public func answers(clusterID: String) async -> Bool { true }
}

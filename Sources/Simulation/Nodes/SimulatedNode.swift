import KubeModel

/// The addresses the simulation hands its nodes: pod ranges and node IPs. (The node objects
/// themselves are ``KWOKNode``'s, in KubeModel, which the capacity capability shares.)
public enum SimulatedNode {
    /// The `n`-th node's pod range, `10.128.0.0/24` onwards (room for 32,768 nodes).
    public static func podCIDR(index: Int) -> String {
        "10.\(128 + (index / 256) % 128).\(index % 256).0/24"
    }

    /// The `n`-th node's InternalIP in `172.16.0.0/12`.
    public static func nodeIP(index: Int) -> String {
        "172.\(16 + (index / 65_536) % 16).\((index / 256) % 256).\(index % 256)"
    }

    /// The index a pod CIDR was made from, so restarts keep counting after existing nodes.
    static func index(ofPodCIDR cidr: String) -> Int? {
        let octets = cidr.split(separator: "/").first?.split(separator: ".").compactMap { Int($0) } ?? []
        guard octets.count == 4, octets[0] == 10, octets[1] >= 128 else { return nil }
        return (octets[1] - 128) * 256 + octets[2]
    }
}

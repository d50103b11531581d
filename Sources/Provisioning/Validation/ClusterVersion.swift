/// A cluster's version in its distribution's notation: `v1.32.0+k3s1`, `v1.32.0+rke2r1`,
/// `v1.32.0` (kubeadm, Talos), `4.19.0` or `4.19.0-okd-scos.3` (OKD).
public struct ClusterVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    /// The distribution's release suffix, `k3s1`, `rke2r1`, `okd-scos.3`; empty when none.
    public var suffix: String
    /// Exactly as written.
    public var text: String

    public var description: String { text }

    /// `v1.32.0` for the Kubernetes distributions; OKD's own version for OKD.
    public var kubernetesVersion: String { "v\(major).\(minor).\(patch)" }

    public static func < (lhs: ClusterVersion, rhs: ClusterVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch, lhs.suffix) < (rhs.major, rhs.minor, rhs.patch, rhs.suffix)
    }

    /// The version `text` for a cluster of `type`, or a message saying what the type expects.
    public static func parse(_ text: String, for type: ClusterType) -> Result<ClusterVersion, VersionFormatError> {
        guard text.count <= ClusterSpecLimits.versionLength, text.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            return .failure(VersionFormatError(type: type, text: text))
        }
        var rest = Substring(text)
        let suffix: String
        switch type {
        case .k3s, .rke2, .vanilla, .talos:
            guard rest.hasPrefix("v") else { return .failure(VersionFormatError(type: type, text: text)) }
            rest = rest.dropFirst()
            let parts = rest.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
            rest = parts[0]
            let tail = parts.count > 1 ? String(parts[1]) : nil
            switch type {
            case .k3s:
                guard let tail, tail.hasPrefix("k3s"), Self.isNumber(tail.dropFirst(3)) else {
                    return .failure(VersionFormatError(type: type, text: text))
                }
            case .rke2:
                guard let tail, tail.hasPrefix("rke2r"), Self.isNumber(tail.dropFirst(5)) else {
                    return .failure(VersionFormatError(type: type, text: text))
                }
            default:
                guard tail == nil else { return .failure(VersionFormatError(type: type, text: text)) }
            }
            suffix = tail ?? ""
        case .okd:
            let parts = rest.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            rest = parts[0]
            suffix = parts.count > 1 ? String(parts[1]) : ""
            if parts.count > 1, suffix.isEmpty || !suffix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) {
                return .failure(VersionFormatError(type: type, text: text))
            }
        default:
            return .failure(VersionFormatError(type: type, text: text))
        }
        let numbers = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3, numbers.allSatisfy({ Self.isNumber($0) }),
            let major = Int(numbers[0]), let minor = Int(numbers[1]), let patch = Int(numbers[2])
        else { return .failure(VersionFormatError(type: type, text: text)) }
        if type == .okd, major != 4 { return .failure(VersionFormatError(type: type, text: text)) }
        if type != .okd, major != 1 { return .failure(VersionFormatError(type: type, text: text)) }
        return .success(ClusterVersion(major: major, minor: minor, patch: patch, suffix: suffix, text: text))
    }

    private static func isNumber(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 6 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// A version written in another notation than its cluster type's.
public struct VersionFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    public var type: ClusterType
    public var text: String

    public var description: String {
        let example: String
        switch type {
        case .k3s: example = "v1.32.0+k3s1"
        case .rke2: example = "v1.32.0+rke2r1"
        case .okd: example = "4.19.0 (optionally 4.19.0-okd-scos.N)"
        default: example = "v1.32.0"
        }
        return "must be a \(type) version like \(example)"
    }
}

import Simulation

/// Several guest hosts behind the one the simulated KubeVirt calls: each is told about every
/// VM and acts on the ones its labels name (lab clusters' virtual clusters, provisioned
/// clusters' nodes). Every host is called even when one fails; the first failure is thrown
/// afterwards, so the VMI's reconcile retries.
public struct GuestHosts: GuestHost {
    let hosts: [any GuestHost]

    public init(_ hosts: [any GuestHost]) {
        self.hosts = hosts
    }

    public func running(namespace: String, vm: String, labels: [String: String]) async throws {
        try await each { try await $0.running(namespace: namespace, vm: vm, labels: labels) }
    }

    public func capture(namespace: String, vm: String, labels: [String: String], content: String) async throws {
        try await each { try await $0.capture(namespace: namespace, vm: vm, labels: labels, content: content) }
    }

    public func restore(namespace: String, vm: String, labels: [String: String], content: String) async throws {
        try await each { try await $0.restore(namespace: namespace, vm: vm, labels: labels, content: content) }
    }

    public func discard(namespace: String, vm: String, labels: [String: String]) async {
        for host in hosts { await host.discard(namespace: namespace, vm: vm, labels: labels) }
    }

    public func stopped(namespace: String, vm: String, labels: [String: String]) async {
        for host in hosts { await host.stopped(namespace: namespace, vm: vm, labels: labels) }
    }

    private func each(_ call: (any GuestHost) async throws -> Void) async throws {
        var first: (any Error)?
        for host in hosts {
            do {
                try await call(host)
            } catch {
                if first == nil { first = error }
            }
        }
        if let first { throw first }
    }
}

import KubeClient
import KubeModel

/// The Lease object the election is held on, read and written through ``KubernetesAPI``.
///
/// All safety comes from the API server's optimistic concurrency: a write carries the
/// resourceVersion of the Lease it was based on, so of two candidates that saw the same expired
/// lease, exactly one update succeeds and the other gets 409 Conflict. A create of a Lease that
/// already exists fails with 409 AlreadyExists in the same way.
struct LeaseLock: Sendable {
    static let resource = ResourceType.leases

    let api: any KubernetesAPI
    let namespace: String
    let name: String

    var description: String { "\(namespace)/\(name)" }

    /// The Lease and its record, or nil when it does not exist.
    func get() async throws(LeaderElectionError) -> (record: LeaseRecord, object: JSONValue)? {
        do {
            let object = try await api.get(Self.resource, namespace: namespace, name: name, subresource: nil)
            return (LeaseRecord(lease: object), object)
        } catch  where error.isNotFound {
            return nil
        } catch {
            throw .api(operation: "get", lease: description, error)
        }
    }

    /// Creates the Lease holding `record`.
    func create(_ record: LeaseRecord) async throws(LeaderElectionError) -> JSONValue {
        var lease: JSONValue = [
            "apiVersion": .string(Self.resource.apiVersion), "kind": .string(Self.resource.kind),
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
        ]
        record.write(into: &lease)
        do {
            return try await api.create(Self.resource, namespace: namespace, object: lease, options: .default)
        } catch  where error.code == 409 {
            throw .lostRace(lease: description, error)
        } catch {
            throw .api(operation: "create", lease: description, error)
        }
    }

    /// Replaces the record of `lease`, as last read, keeping its resourceVersion so that a
    /// concurrent write makes this one fail.
    func update(_ lease: JSONValue, to record: LeaseRecord) async throws(LeaderElectionError) -> JSONValue {
        var lease = lease
        record.write(into: &lease)
        do {
            return try await api.update(
                Self.resource, namespace: namespace, object: lease, subresource: nil,
                options: .default)
        } catch  where error.code == 409 {
            throw .lostRace(lease: description, error)
        } catch {
            throw .api(operation: "update", lease: description, error)
        }
    }
}

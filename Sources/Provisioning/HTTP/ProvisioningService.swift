import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import PlatformHTTP

/// What the provisioning REST API does, on the leader once attached (503 before).
///
/// Every answer is read from and written to the API server directly (no informer cache), so
/// that a client reading right after a write sees it: operations, clusters and the audit log
/// are objects there and survive a restart. The controllers do the work; this service only
/// validates requests, records them (ClusterOperation, ClusterDefinition spec and
/// annotations, audit entries) and reports.
public final class ProvisioningService: Sendable {
    public struct Configuration: Sendable {
        /// Where REST-provisioned clusters live.
        public var namespace: String
        /// Refuse platform deletes of VMs the provisioner did not make (`?force=true` overrides).
        public var safeMode: Bool
        public var access: (any ProvisionedClusterAccess)?
        /// How many audit entries are kept.
        public var auditEntries: Int
        /// How many finished operations `GET /api/v1/clusters/operations` keeps (the newest);
        /// unfinished ones are always kept.
        public var maximumFinishedOperations: Int

        public init(
            namespace: String = ProvisioningObjects.defaultNamespace, safeMode: Bool = true,
            access: (any ProvisionedClusterAccess)? = nil
        ) {
            self.namespace = namespace
            self.safeMode = safeMode
            self.access = access
            self.auditEntries = ProvisioningAuditLog.defaultMaximumEntries
            self.maximumFinishedOperations = Self.defaultMaximumFinishedOperations
        }

        /// moxxie kept its operations in memory until a restart; 1,000 finished ones is far
        /// more than a client polls for, and bounds the list.
        public static let defaultMaximumFinishedOperations = 1_000
    }

    /// The API and the audit log written through it.
    struct Connection: Sendable {
        let api: any KubernetesAPI
        let audit: ProvisioningAuditLog
    }

    let configuration: Configuration
    let logger: Logger
    let attachment = LeaderAttachment<Connection>(
        unavailable: "the provisioner is not connected to the cluster yet (or this replica is not the leader)")

    public init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "virtyard.provisioning")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Connects the service on the leader. `informers` is deliberately unused: every answer
    /// reads the API server directly so that a client reading right after its own write sees
    /// it, which an informer's cache (updated by a watch, a moment later) cannot promise. The
    /// parameter keeps the signature every leader-attached service shares.
    public func attach(api: any KubernetesAPI, informers: SharedInformerFactory) {
        attach(api: api)
    }

    /// Connects the service to `api` (tests attach without informers).
    public func attach(api: any KubernetesAPI) {
        let audit = ProvisioningAuditLog(api: api, namespace: configuration.namespace, maximumEntries: configuration.auditEntries)
        attachment.attach(Connection(api: api, audit: audit))
    }

    var namespace: String { configuration.namespace }

    /// The connection, or the 503 before `attach`.
    func connected() throws(ProvisioningAPIError) -> Connection {
        do {
            return try attachment.connected()
        } catch {
            throw ProvisioningAPIError(error)
        }
    }

    /// Records `entry`; a failure to write the log is logged, never the request's failure
    /// (what the entry describes has already happened).
    func audit(_ entry: AuditEntry, on connection: Connection) async {
        do {
            try await connection.audit.record(entry)
        } catch {
            logger.error(
                "could not write the audit log",
                metadata: ["action": "\(entry.action)", "resource": "\(entry.resource)", "error": "\(error)"])
        }
    }

    /// Creates the provisioning namespace when it is missing.
    func ensureNamespace(_ connection: Connection) async throws(ProvisioningAPIError) {
        do {
            try await ProvisioningNamespace.ensure(namespace, api: connection.api)
        } catch {
            throw .api("could not create namespace \(namespace)", error)
        }
    }

    /// The ClusterDefinition `name`, or 404.
    func cluster(_ name: String, _ connection: Connection) async throws(ProvisioningAPIError) -> JSONValue {
        do {
            return try await connection.api.get(.clusterDefinitions, namespace: namespace, name: name)
        } catch  where error.isNotFound {
            throw .notFound("cluster \(name) not found")
        } catch {
            throw .api("could not read cluster \(name)", error)
        }
    }

    /// The ClusterOperation `id`, or 404.
    func operation(_ id: String, _ connection: Connection) async throws(ProvisioningAPIError) -> JSONValue {
        do {
            return try await connection.api.get(.clusterOperations, namespace: namespace, name: id)
        } catch  where error.isNotFound {
            throw .notFound("operation \(id) not found")
        } catch {
            throw .api("could not read operation \(id)", error)
        }
    }
}

/// Who a request came from, as the audit log names them.
extension Caller {
    var auditName: String {
        switch self {
        case .admin: "admin"
        case .session(let id): "session/\(id)"
        case .anonymous: "anonymous"
        }
    }
}

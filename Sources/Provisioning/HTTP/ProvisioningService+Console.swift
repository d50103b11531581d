import Foundation
import Hummingbird
import KubeClient
import KubeModel
import PlatformHTTP

/// A provisioning refusal as the web console shows it: the REST API's status and its message
/// for a person (the REST body's `message`, or every violation of a refused specification).
package struct ProvisioningConsoleError: Error, Sendable, CustomStringConvertible {
    package var status: HTTPResponse.Status
    package var message: String

    init(_ error: ProvisioningAPIError) {
        status = error.status
        if let message = error.body["message"]?.stringValue {
            self.message = message
        } else if let violations = error.body["violations"]?.arrayValue, !violations.isEmpty {
            self.message = violations.compactMap { violation -> String? in
                guard let message = violation["message"]?.stringValue else { return nil }
                let field = violation["field"]?.stringValue ?? ""
                return field.isEmpty ? message : "\(field): \(message)"
            }.joined(separator: "; ")
        } else {
            self.message = "The provisioner refused the request (\(error.status.code))."
        }
    }

    package var description: String { "\(status.code): \(message)" }
}

/// The web console's way into the provisioning REST API's logic: the same reads, checks and
/// writes as `/api/v1/clusters…`, answered in the REST API's JSON shapes, with failures as
/// ``ProvisioningConsoleError``.
extension ProvisioningService {
    /// Every cluster, as `GET /api/v1/clusters` lists them.
    package func consoleClusters() async throws(ProvisioningConsoleError) -> [JSONValue] {
        try await consoleCall { () async throws(ProvisioningAPIError) in try await clusters().arrayValue ?? [] }
    }

    /// Every operation kept, oldest first, as `GET /api/v1/clusters/operations` lists them.
    package func consoleOperations() async throws(ProvisioningConsoleError) -> [JSONValue] {
        try await consoleCall { () async throws(ProvisioningAPIError) in try await operations().arrayValue ?? [] }
    }

    /// `PUT /api/v1/clusters/{name}/scale`: one node group to `targetCount` nodes; the new operation.
    package func consoleScale(_ name: String, nodeGroup: String, targetCount: Int, user: String) async throws(ProvisioningConsoleError)
        -> JSONValue
    {
        try await consoleCall { () async throws(ProvisioningAPIError) in
            let request: ScaleRequest
            do {
                // Decoded as the REST body is, so the same field rules (1–63 bytes, 0–100 nodes) apply.
                request = try JSONValue.object(["nodeGroup": .string(nodeGroup), "targetCount": .int(Int64(targetCount))])
                    .decode(as: ScaleRequest.self)
            } catch let error as RequestFieldError {
                throw .badRequest(error.description)
            } catch {
                throw .badRequest("the scale request could not be read: \(error)")
            }
            return try await scale(name, request, user: user)
        }
    }

    /// `POST /api/v1/clusters/{name}/validate`: the report with its checks.
    package func consoleValidate(_ name: String) async throws(ProvisioningConsoleError) -> JSONValue {
        try await consoleCall { () async throws(ProvisioningAPIError) in try await validate(name) }
    }

    /// `DELETE /api/v1/clusters/{name}`: the DECOMMISSION operation.
    package func consoleDecommission(_ name: String, user: String) async throws(ProvisioningConsoleError) -> JSONValue {
        try await consoleCall { () async throws(ProvisioningAPIError) in try await decommission(name, user: user) }
    }

    private func consoleCall<T>(_ body: () async throws(ProvisioningAPIError) -> T) async throws(ProvisioningConsoleError) -> T {
        do {
            return try await body()
        } catch {
            throw ProvisioningConsoleError(error)
        }
    }
}

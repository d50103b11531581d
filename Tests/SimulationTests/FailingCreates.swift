import KubeClient
import KubeModel
import Synchronization
import VirtyardTesting

/// The API, except that the first creates of one resource fail with a 500, as an API server
/// that is briefly unwell would answer.
final class FailingCreates: ForwardingKubernetesAPI, @unchecked Sendable {
    /// How many creates fail; shared so a test can see that they did.
    final class Budget: Sendable {
        private let state: Mutex<(left: Int, used: Int)>
        init(_ failures: Int) { state = Mutex((failures, 0)) }
        var used: Int { state.withLock { $0.used } }

        func take() -> Bool {
            state.withLock { state in
                guard state.left > 0 else { return false }
                state.left -= 1
                state.used += 1
                return true
            }
        }
    }

    let resource: ResourceType
    let budget: Budget

    init(base: any KubernetesAPI, resource: ResourceType, budget: Budget) {
        self.resource = resource
        self.budget = budget
        super.init(base)
    }

    override func create(_ resource: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions)
        async throws(KubeClientError) -> JSONValue
    {
        if resource == self.resource, budget.take() {
            throw KubeClientError(code: 500, reason: "InternalError", message: "injected failure", request: "POST \(resource)")
        }
        return try await super.create(resource, namespace: namespace, object: object, options: options)
    }
}

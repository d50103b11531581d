import KubeModel

extension ResourceHandler {
    /// Opens a watch: from the given resourceVersion, or from the current state when none
    /// (or "0") is given, as Kubernetes does.
    func watch(_ call: Call) throws(APIError) -> APIResponse {
        let options = call.options
        let start: ObjectStore.WatchStart
        switch options.resourceVersion {
        case nil, "0":
            start = .currentState
        case .some(let text):
            guard let version = Int64(text) else {
                throw APIError.badRequest("invalid resource version \"\(text)\"")
            }
            start = .after(version)
        }
        let predicate: (@Sendable (JSONValue) -> Bool)? = options.hasSelectors ? { @Sendable object in options.matches(object) } : nil
        let namespace = call.resource.namespaced ? call.path.namespace : nil
        let filter = WatchFilter(
            resource: call.resource.groupResource, namespace: namespace, predicate: predicate,
            predicatePaths: options.hasSelectors ? options.selectorPaths : nil)
        let stream = try store.openWatch(filter, from: start)
        // Like kube-apiserver's --min-request-timeout: a watch ends within 30–60 minutes
        // unless the client asks for less, and clients re-establish it.
        let seconds = options.timeoutSeconds ?? Int.random(in: 1800...3600)
        return .stream(
            stream, timeout: .seconds(seconds), bookmarks: options.allowWatchBookmarks,
            apiVersion: call.resource.apiVersion,
            table: call.acceptsTable ? TableRequest(resource: call.resource, includeObject: options.includeObject) : nil)
    }
}

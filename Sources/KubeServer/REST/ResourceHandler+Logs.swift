import KubeModel

/// `pods/<name>/log` (`kubectl logs`), and the answer for the subresources that would need a
/// running process (`exec`, `attach`, `portforward`).
extension ResourceHandler {
    func podLog(_ call: Call) throws(APIError) -> APIResponse {
        let resource = call.resource
        guard let stored = store.get(call.key) else {
            throw APIError.notFound(resource.resource, group: resource.group, name: call.key.name)
        }
        let options = try PodLogs.Options(query: call.options.query, podName: call.key.name)
        let pod = stored.object
        let text = try PodLogs.text(of: pod, options: options) ?? []
        guard options.follow, Pod(pod).isBound, !(Pod(pod).phase?.isFinished ?? false) else {
            return .text(200, text)
        }
        // Following: the stream stays open while the pod runs — it ends when the pod
        // finishes, is deleted or replaced, or the client goes away. No further output comes:
        // a simulated container prints once.
        let uid = pod.uid
        let name = call.key.name
        let filter = WatchFilter(
            resource: resource.groupResource, namespace: call.key.namespace,
            predicate: { @Sendable object in object.name == name })
        let watch = try store.openWatch(filter, from: .after(stored.resourceVersion))
        return .followedText(text, watch: watch) { event in
            if event.kind == .deleted { return true }
            let object = event.object.object
            return object.uid != uid || Pod(object).phase?.isFinished == true
        }
    }

    /// `exec`, `attach` and `portforward`, by GET (the upgrade kubectl sends) or POST: 501,
    /// saying why, rather than a 404 that reads as "no such pod".
    static func processSubresourceNotImplemented(_ subresource: String, resource: APIResource, name: String) -> APIError {
        let what: String
        let instead: String
        switch subresource {
        case "portforward":
            what = "port forwarding"
            instead = "so nothing listens on its ports; run servers and commands in the lab terminal's sandbox instead"
        case "attach":
            what = "attaching to a container"
            instead = "so there is nothing to attach to; run commands in the lab terminal's sandbox instead"
        default:
            what = "exec"
            instead = "run commands in the lab terminal's sandbox instead"
        }
        // 501 with no reason: none of kube-apiserver's says "this server cannot do that at all".
        return APIError(
            code: 501, reason: .unknown,
            message:
                "\(what) is not available in Virtyard's embedded API: \(resource.resource) \"\(name)\" is simulated and runs no processes; \(instead)",
            group: resource.group, kind: resource.resource, name: name)
    }
}

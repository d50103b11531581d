import Foundation
import KubeModel

/// What `kubectl logs` reads from a simulated pod (`pods/<name>/log`).
///
/// Simulated pods run no processes, so there is no real output. What a container would
/// print is known in one common case — a container whose command is `echo …`, or a shell
/// script (`sh -c "…"`) whose output comes from `echo` statements — and that text is
/// returned, with `$VAR` references to the container's literal `env` values (and
/// `HOSTNAME`) expanded. Any other container answers one line saying it is simulated, never
/// invented output.
///
/// The errors are kube-apiserver's and the kubelet's, word for word: an unknown container,
/// a multi-container pod with no container named, a container not started yet, a
/// `previous` container that never terminated, invalid options.
enum PodLogs {
    /// The `PodLogOptions` of the query.
    struct Options: Equatable {
        var container: String?
        var follow = false
        var previous = false
        var timestamps = false
        var tailLines: Int?
        var limitBytes: Int?
        /// `sinceSeconds` or `sinceTime`: the earliest output wanted.
        var since: Date?

        init(query: [String: String], podName: String) throws(APIError) {
            container = query["container"].flatMap { $0.isEmpty ? nil : $0 }
            follow = try Self.flag(query, "follow")
            previous = try Self.flag(query, "previous")
            timestamps = try Self.flag(query, "timestamps")
            var causes: [APIError.Cause] = []
            tailLines = try Self.number(query, "tailLines")
            if let tailLines, tailLines < 0 {
                causes.append(Self.negative("tailLines", tailLines, "must be greater than or equal to 0"))
            }
            limitBytes = try Self.number(query, "limitBytes")
            if let limitBytes, limitBytes < 1 {
                causes.append(Self.negative("limitBytes", limitBytes, "must be greater than 0"))
            }
            let sinceSeconds = try Self.number(query, "sinceSeconds")
            if let sinceSeconds, sinceSeconds < 1 {
                causes.append(Self.negative("sinceSeconds", sinceSeconds, "must be greater than 0"))
            }
            if let sinceSeconds { since = Date(timeIntervalSinceNow: -Double(sinceSeconds)) }
            if let text = query["sinceTime"], !text.isEmpty {
                guard let date = Timestamp.date(text) else {
                    throw APIError.badRequest("sinceTime: invalid value \"\(text)\": must be an RFC 3339 time")
                }
                if sinceSeconds != nil {
                    causes.append(
                        .init(
                            reason: "FieldValueForbidden",
                            message: "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified",
                            field: ""))
                }
                since = date
            }
            if !causes.isEmpty {
                let summary = causes.map { $0.field.isEmpty ? $0.message : "\($0.field): \($0.message)" }.joined(separator: ", ")
                throw APIError(
                    code: 422, reason: .invalid, message: "PodLogOptions \"\(podName)\" is invalid: \(summary)",
                    kind: "PodLogOptions", name: podName, causes: causes)
            }
        }

        private static func negative(_ field: String, _ value: Int, _ rule: String) -> APIError.Cause {
            .init(reason: "FieldValueInvalid", message: "Invalid value: \(value): \(rule)", field: field)
        }

        private static func flag(_ query: [String: String], _ name: String) throws(APIError) -> Bool {
            guard let text = query[name] else { return false }
            switch text {
            case "", "1", "t", "T", "TRUE", "true", "True": return true
            case "0", "f", "F", "FALSE", "false", "False": return false
            default: throw APIError.badRequest("\(name): invalid value \"\(text)\": must be true or false")
            }
        }

        private static func number(_ query: [String: String], _ name: String) throws(APIError) -> Int? {
            guard let text = query[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else {
                throw APIError.badRequest("\(name): invalid value \"\(text)\": must be an integer")
            }
            return value
        }
    }

    /// The log of one container of `pod`, or nil when the pod is not on a node yet
    /// (kube-apiserver then answers an empty body).
    static func text(of pod: JSONValue, options: Options) throws(APIError) -> [UInt8]? {
        let podName = pod.name ?? ""
        let container = try chooseContainer(of: pod, named: options.container)
        let containerName = container["name"]?.stringValue ?? ""
        guard Pod(pod).isBound else { return nil }
        let statuses =
            (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? [])
            + (pod[path: ["status", "initContainerStatuses"]]?.arrayValue ?? [])
        let status = statuses.first { $0["name"]?.stringValue == containerName }
        let startedAt = try startTime(status, container: containerName, pod: podName, previous: options.previous)
        var lines = output(of: container, podName: podName)
        // A simulated container prints everything the moment it starts.
        if let since = options.since, let started = startedAt.flatMap(Timestamp.date), started < since { lines = [] }
        if let tail = options.tailLines { lines = Array(lines.suffix(tail)) }
        var bytes: [UInt8] = []
        for line in lines {
            if options.timestamps, let startedAt { bytes.append(contentsOf: "\(startedAt) ".utf8) }
            bytes.append(contentsOf: line.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        if let limit = options.limitBytes, bytes.count > limit { bytes = Array(bytes.prefix(limit)) }
        return bytes
    }

    /// kube-apiserver's `LogLocation`: the named container (regular, init or ephemeral), or
    /// the only one.
    static func chooseContainer(of pod: JSONValue, named name: String?) throws(APIError) -> JSONValue {
        let podName = pod.name ?? ""
        let containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
        let initContainers = pod[path: ["spec", "initContainers"]]?.arrayValue ?? []
        let ephemeral = pod[path: ["spec", "ephemeralContainers"]]?.arrayValue ?? []
        guard let name else {
            switch containers.count {
            case 1: return containers[0]
            case 0: throw APIError.badRequest("a container name must be specified for pod \(podName)")
            default:
                func names(_ list: [JSONValue]) -> String { list.compactMap { $0["name"]?.stringValue }.joined(separator: " ") }
                var message = "a container name must be specified for pod \(podName), choose one of: [\(names(containers))]"
                if !initContainers.isEmpty { message += " or one of the init containers: [\(names(initContainers))]" }
                throw APIError.badRequest(message)
            }
        }
        guard let found = (containers + initContainers + ephemeral).first(where: { $0["name"]?.stringValue == name }) else {
            throw APIError.badRequest("container \(name) is not valid for pod \(podName)")
        }
        return found
    }

    /// The kubelet's `validateContainerLogStatus`: when the container (or, for `previous`,
    /// its last run) started, or why there is no log.
    private static func startTime(_ status: JSONValue?, container: String, pod: String, previous: Bool) throws(APIError)
        -> String?
    {
        let quoted = "container \(GoJSON.string(.string(container))) in pod \(GoJSON.string(.string(pod)))"
        guard let status else {
            // Bound, and the simulated kubelet has not reported the container yet: what a
            // kubelet reports in that moment.
            throw APIError.badRequest("\(quoted) is waiting to start: ContainerCreating")
        }
        let state = status["state"] ?? [:]
        if previous {
            guard let last = status[path: ["lastState", "terminated"]] else {
                throw APIError.badRequest("previous terminated \(quoted) not found")
            }
            return last["startedAt"]?.stringValue
        }
        if let running = state["running"] { return running["startedAt"]?.stringValue }
        if let terminated = state["terminated"] { return terminated["startedAt"]?.stringValue }
        if let waiting = state["waiting"] {
            let reason = waiting["reason"]?.stringValue ?? ""
            switch reason {
            case "ErrImagePull": throw APIError.badRequest("\(quoted) is waiting to start: image can't be pulled")
            case "ImagePullBackOff":
                throw APIError.badRequest("\(quoted) is waiting to start: trying and failing to pull image")
            default: throw APIError.badRequest("\(quoted) is waiting to start: \(reason)")
            }
        }
        throw APIError.badRequest("\(quoted) is waiting to start - no logs yet")
    }

    // MARK: Simulated output

    /// The lines the container prints, as far as its command tells.
    static func output(of container: JSONValue, podName: String) -> [String] {
        if let lines = ContainerScript(container: container, podName: podName).echoedLines, !lines.isEmpty { return lines }
        let name = container["name"]?.stringValue ?? ""
        let image = container["image"]?.stringValue ?? ""
        return [
            "Virtyard simulates container \(name) (image \(image)): no process runs in it, so it has no output. "
                + "Commands run in the lab terminal's sandbox."
        ]
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import KubeModel
import Logging
import NIOCore

/// The embedded Kubernetes API as one Hummingbird responder: authenticates, routes the
/// path to discovery, OpenAPI or a resource, and writes `Status` objects for errors.
struct KubeAPIResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let handler: ResourceHandler
    let discovery: Discovery
    let openAPI: OpenAPIDocuments
    let authenticator: TokenAuthenticator
    let logger: Logger
    /// `system:masters` first, then RBAC over this tree's Roles and bindings.
    var authorizer: APIAuthorizer { APIAuthorizer(store: handler.store) }
    var bookmarkInterval: Duration = .seconds(10)
    /// Where each authorization decision is recorded (`--audit-log`); nil records none.
    var auditLog: AuditLog?

    /// kube-apiserver's limit on a request body (`--max-request-bytes` is etcd's 1.5 MiB
    /// object limit doubled).
    static let requestBodyLimit = 3 << 20
    /// Longest request path and query taken, far above any real one.
    static let maximumURILength = 32 << 10

    func respond(to request: Request, context: Context) async throws -> Response {
        do {
            return try await route(request, context: context)
        } catch let error as APIError {
            return Self.json(error.code, error.wireBytes)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            let failure = APIError.internalError("\(error)")
            return Self.json(failure.code, failure.wireBytes)
        }
    }

    private func route(_ request: Request, context: Context) async throws -> Response {
        if request.uri.description.utf8.count > Self.maximumURILength {
            throw APIError.badRequest("the request URI is longer than \(Self.maximumURILength) bytes")
        }
        let registry = handler.registry
        let path = APIPath(request.uri.path) { group, version, resource in
            registry.lookup(group: group, version: version, resource: resource)?.namespaced ?? false
        }
        if case .health(let name) = path {
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: name.contains("verbose") ? "[+]ping ok\nhealthz check passed\n" : "ok")))
        }
        if path == .version { return Self.json(200, discovery.version().serialized()) }
        guard let caller = authenticator.user(for: request.headers.firstValue(for: .authorization)) else {
            throw APIError.unauthorized
        }
        // Authentication, impersonation, authorization: kube-apiserver's filter order, so a
        // request that may not be made is refused before anything looks at its path.
        let authorizer = self.authorizer
        let user = try Impersonation.apply(request.headers, caller: caller, authorizer: authorizer)
        let attributes = RequestAttributes(
            user: user, method: request.method, rawPath: request.uri.path, path: path,
            query: RequestOptions.parseQuery(request.uri.query ?? ""))
        let decision = authorizer.authorize(attributes)
        auditLog?.record(attributes, caller: caller, uri: request.uri.description, allowed: decision.allowed, reason: decision.reason)
        guard decision.allowed else { throw attributes.forbidden(reason: decision.reason) }
        switch path {
        case .coreVersions:
            return Self.json(200, discovery.coreVersions(serverAddress: request.head.authority ?? "127.0.0.1").serialized())
        case .groups:
            return Self.json(200, discovery.groupList().serialized())
        case .group(let name):
            guard let document = discovery.group(name) else { throw Self.pathNotFound }
            return Self.json(200, document.serialized())
        case .resourceList(let group, let version):
            guard let document = discovery.resourceList(group: group, version: version) else { throw Self.pathNotFound }
            return Self.json(200, document.serialized())
        case .openAPIIndex:
            return Self.json(200, openAPI.index().serialized())
        case .openAPIDocument(let name):
            guard let document = openAPI.document(for: name) else { throw Self.pathNotFound }
            return Self.json(200, document.serialized())
        case .resource(let resourcePath)
        where resourcePath.group == "authentication.k8s.io"
            && resourcePath.resource == "selfsubjectreviews":
            return try await serveWhoAmI(resourcePath, request: request, user: user)
        case .resource(let resourcePath)
        where resourcePath.group == AccessReviews.group
            && AccessReviews.resources.contains(resourcePath.resource):
            return try await serveReview(resourcePath, request: request, user: user, authorizer: authorizer)
        case .resource(let resourcePath):
            return try await serveResource(resourcePath, request: request)
        case .version, .health, .notFound:
            throw Self.pathNotFound
        }
    }

    /// The access reviews: created (POST to the collection), never stored.
    private func serveReview(
        _ path: APIPath.ResourcePath, request: Request, user: UserInfo,
        authorizer: APIAuthorizer
    ) async throws -> Response {
        guard path.version == "v1" else { throw Self.pathNotFound }
        let local = path.resource == "localsubjectaccessreviews"
        guard path.name == nil, path.subresource == nil, local == (path.namespace != nil) else { throw Self.pathNotFound }
        guard request.method == .post else {
            throw APIError.methodNotAllowed("\(path.resource).\(path.group) does not support \(request.method.rawValue.lowercased())")
        }
        var body = try await Self.collectBody(request)
        if KubernetesProtobuf.matches(contentType: request.headers.firstValue(for: .contentType) ?? ""), !body.isEmpty {
            do { body = try KubernetesProtobuf.decode(body).serialized() } catch {
                throw APIError(code: 415, reason: .unsupportedMediaType, message: error.description)
            }
        }
        let review = try AccessReviews(authorizer: authorizer).review(
            path.resource, namespace: path.namespace, body: body,
            caller: user)
        return Self.json(201, review.serialized())
    }

    /// `SelfSubjectReview` (`kubectl auth whoami`): who the request acts as. Its spec is
    /// empty, so the body (protobuf from kubectl) is not read.
    private func serveWhoAmI(_ path: APIPath.ResourcePath, request: Request, user: UserInfo) async throws -> Response {
        guard path.version == "v1", path.name == nil, path.namespace == nil, path.subresource == nil else {
            throw Self.pathNotFound
        }
        guard request.method == .post else {
            throw APIError.methodNotAllowed(
                "selfsubjectreviews.authentication.k8s.io does not support \(request.method.rawValue.lowercased())")
        }
        _ = try await Self.collectBody(request)
        var userInfo: JSONValue = ["username": .string(user.name), "groups": .array(user.groups.map { .string($0) })]
        if !user.uid.isEmpty { userInfo["uid"] = .string(user.uid) }
        if !user.extra.isEmpty { userInfo["extra"] = .object(user.extra.mapValues { .array($0.map { .string($0) }) }) }
        let review: JSONValue = [
            "apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview",
            "metadata": ["creationTimestamp": .null], "status": ["userInfo": userInfo],
        ]
        return Self.json(201, review.serialized())
    }

    /// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io, application/json`, as kubectl sends.
    static func acceptsTable(_ accept: String?) -> Bool {
        guard let accept else { return false }
        return accept.split(separator: ",").contains { part in
            let parameters = part.split(separator: ";").map { $0.trimmingHTTPWhitespace() }
            return parameters.contains("as=Table") && parameters.contains("g=meta.k8s.io")
                && (parameters.contains("v=v1") || parameters.contains("v=v1beta1"))
        }
    }

    static let pathNotFound = APIError(code: 404, reason: .notFound, message: "the server could not find the requested resource")

    /// The body, refused with 413 past ``requestBodyLimit`` (read no further than that).
    static func collectBody(_ request: Request) async throws(APIError) -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: requestBodyLimit)
            return Array(buffer.readableBytesView)
        } catch {
            throw APIError(
                code: 413, reason: .requestEntityTooLarge,
                message: "Request entity too large: limit is \(requestBodyLimit)")
        }
    }

    /// Media types a body may have: JSON and kubectl's protobuf for writes, the three patch
    /// types and server-side apply for patches. YAML is answered later with its own message.
    static func checkMediaType(_ contentType: String, method: HTTPRequest.Method) throws(APIError) {
        let mediaType = HTTPMediaType.essence(of: contentType)
        let accepted: [String]
        if method == .patch {
            accepted = PatchKind.allCases.map(\.rawValue) + [ResourceHandler.applyMediaType]
        } else {
            accepted = ["application/json", "application/yaml", KubernetesProtobuf.mediaType]
        }
        guard accepted.contains(mediaType) else {
            throw APIError(
                code: 415, reason: .unsupportedMediaType,
                message:
                    "the body of the request was in an unknown format - accepted media types include: \(accepted.joined(separator: ", "))")
        }
    }

    private func serveResource(_ path: APIPath.ResourcePath, request: Request) async throws -> Response {
        guard let resource = handler.registry.lookup(group: path.group, version: path.version, resource: path.resource) else {
            throw Self.pathNotFound
        }
        let options = try RequestOptions(query: RequestOptions.parseQuery(request.uri.query ?? ""), resource: resource)
        var contentType = request.headers.firstValue(for: .contentType) ?? "application/json"
        var body: [UInt8] = []
        if request.method != .get {
            body = try await Self.collectBody(request)
            if !body.isEmpty { try Self.checkMediaType(contentType, method: request.method) }
        }
        if KubernetesProtobuf.matches(contentType: contentType), !body.isEmpty {
            // kubectl's typed commands (`create configmap`, `create secret`, …) send protobuf
            // and never fall back to JSON, so those kinds are decoded here.
            do {
                body = try KubernetesProtobuf.decode(body).serialized()
                contentType = "application/json"
            } catch {
                throw APIError(
                    code: error.isUnsupportedKind ? 415 : 400,
                    reason: error.isUnsupportedKind ? .unsupportedMediaType : .badRequest,
                    message: error.description)
            }
        }
        var call = ResourceHandler.Call(
            resource: resource, path: path, method: request.method, options: options,
            body: body, contentType: contentType)
        call.acceptsTable = Self.acceptsTable(request.headers.firstValue(for: .accept))
        let started = ContinuousClock.now
        let outcome: APIResponse
        do {
            outcome = try await handler.handle(call)
        } catch {
            Self.record(call, code: error.code, since: started)
            throw error
        }
        switch outcome {
        case .object(let code, _, _), .text(let code, _): Self.record(call, code: code, since: started)
        case .stream, .followedText: Self.record(call, code: 200, since: started)
        }
        switch outcome {
        case .object(let code, let bytes, let warnings):
            var response = Self.json(code, bytes)
            for warning in warnings {
                response.headers.append(
                    HTTPField(name: HTTPField.Name("Warning")!, value: "299 - \"\(warning.replacingOccurrences(of: "\"", with: "\\\""))\""))
            }
            return response
        case .text(let code, let bytes):
            return Response(
                status: HTTPResponse.Status(code: code), headers: [.contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .followedText(let initial, let watch, let ends):
            return Self.followedTextResponse(initial, watch: watch, ends: ends)
        case .stream(let events, let timeout, let bookmarks, let apiVersion, let table):
            return Self.watchResponse(
                events, request: request, timeout: timeout,
                bookmarks: bookmarks ? bookmarkInterval : nil, apiVersion: apiVersion,
                table: table,
                store: handler.store)
        }
    }

    private static func record(_ call: ResourceHandler.Call, code: Int, since started: ContinuousClock.Instant) {
        RequestMetrics.shared.record(
            verb: call.verb, resource: call.resource.groupResource, code: code, duration: ContinuousClock.now - started)
    }

    static func json(_ code: Int, _ bytes: [UInt8]) -> Response {
        Response(
            status: HTTPResponse.Status(code: code), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Writes `initial`, then holds the response open until an event of `watch` ends it or
    /// the client goes away; always ends with the terminating chunk.
    static func followedTextResponse(
        _ initial: [UInt8], watch: ObjectStore.WatchRegistration, ends: @escaping @Sendable (WatchEvent) -> Bool
    ) -> Response {
        let events = watch.events
        let connection = ClientConnection.current
        let body = ResponseBody { writer in
            let (signals, input) = AsyncStream<Void>.makeStream()
            let observer = await connection?.closeObserver()
            let registration = observer?.onClose { input.yield() }
            defer { observer?.cancel(registration) }
            if !initial.isEmpty { try await writer.write(ByteBuffer(bytes: initial)) }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in events where event.kind != .bookmark && ends(event) { break }
                    input.yield()
                }
                for await _ in signals { break }
                group.cancelAll()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/plain", .cacheControl: "no-cache"], body: body)
    }

    /// Streams newline-delimited `{"type": …, "object": …}` events until the timeout, the
    /// client going away, or the server shutting down. The response always ends with its
    /// terminating chunk and leaves the connection open for the client's next request, as
    /// kube-apiserver's do (clients pool their connections).
    static func watchResponse(
        _ watch: ObjectStore.WatchRegistration, request: Request, timeout: Duration, bookmarks: Duration?,
        apiVersion: String, table: TableRequest? = nil, store: ObjectStore
    ) -> Response {
        let events = watch.events
        // Read here, in the responder's task: the body below is written after it returns.
        let connection = ClientConnection.current
        let body = ResponseBody { writer in
            enum Signal: Sendable {
                case event(WatchEvent)
                case bookmark, end
            }
            let (signals, input) = AsyncStream<Signal>.makeStream()
            // A client that goes away ends its watch at once, not at the next event the
            // server would write to it.
            let observer = await connection?.closeObserver()
            let registration = observer?.onClose { input.yield(.end) }
            defer { observer?.cancel(registration) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in events { input.yield(.event(event)) }
                    input.finish()
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    input.yield(.end)
                }
                if let bookmarks {
                    // Bookmarks tell the client how far it has seen even when nothing it
                    // watches changes, so its resume point stays inside the history.
                    group.addTask {
                        while true {
                            try await Task.sleep(for: bookmarks)
                            input.yield(.bookmark)
                        }
                    }
                }
                loop: for await signal in signals {
                    switch signal {
                    case .end:
                        break loop
                    case .bookmark:
                        // Answered in order, through the watch's own stream.
                        store.requestBookmark(watch)
                    case .event(let event) where event.kind == .bookmark:
                        let bookmark: JSONValue = [
                            "kind": "Bookmark", "apiVersion": .string(apiVersion),
                            "metadata": ["resourceVersion": .string(String(event.object.resourceVersion))],
                        ]
                        try await writer.write(
                            ByteBuffer(
                                bytes: Array(
                                    "{\"type\":\"BOOKMARK\",\"object\":\(bookmark.serializedString())}\n".utf8)))
                    case .event(let event):
                        var line: [UInt8] = Array("{\"type\":\"\(event.kind.rawValue)\",\"object\":".utf8)
                        if let table {
                            line.append(
                                contentsOf: TablePrinter().table(
                                    for: table.resource, objects: [event.object.object], resourceVersion: nil,
                                    includeObject: table.includeObject
                                ).serialized())
                        } else if event.object.apiVersion == apiVersion {
                            line.append(contentsOf: event.object.bytes)
                        } else {
                            var object = event.object.object
                            object.apiVersion = apiVersion
                            line.append(contentsOf: object.serialized())
                        }
                        line.append(contentsOf: "}\n".utf8)
                        try await writer.write(ByteBuffer(bytes: line))
                    }
                }
                group.cancelAll()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"], body: body)
    }
}

import AsyncHTTPClient
import KubeModel
import NIOCore
import NIOHTTP1

extension HTTPKubernetesClient {
    /// Opens `GET …?watch=true` and streams its events as they arrive.
    ///
    /// Errors the server gives before streaming (401, 404, 410 for a resourceVersion
    /// older than its history) are thrown here; once streaming, an `ERROR` event or a
    /// broken connection ends the stream with a ``KubeClientError``, and the server ending
    /// the response (its timeout, `timeoutSeconds`) ends it normally. Cancelling the task
    /// that iterates the stream, or dropping the stream, cancels the request and closes its
    /// connection.
    ///
    /// A nil `namespace` watches across all namespaces. Without `timeoutSeconds` the watch
    /// has no client-side deadline (the server closes it eventually); with it, the request
    /// is abandoned a minute after the server should have ended it.
    public func watch(
        _ resource: ResourceType, namespace: String?,
        options: ListOptions
    ) async throws(KubeClientError) -> AsyncThrowingStream<WatchEventObject, any Error> {
        var target = ResourcePath(resource, namespace: resource.namespaced ? namespace : nil)
        target.add(list: options, watch: true)
        let deadline: NIODeadline = options.timeoutSeconds.map { .now() + .seconds(Int64($0) + 60) } ?? .distantFuture
        let response = try await send(.GET, target, deadline: deadline)
        let name = Self.describe(.GET, target)
        let server = baseURL
        let body = response.body
        let (stream, continuation) = AsyncThrowingStream<WatchEventObject, any Error>.makeStream()
        // The one unstructured task: it pumps the response body into the stream and lives
        // exactly as long as the stream's consumer does (cancelled on termination).
        let pump = Task {
            var decoder = WatchEventDecoder(request: name)
            do {
                for try await chunk in body {
                    try decoder.feed(chunk.readableBytesView) { continuation.yield($0) }
                }
                try decoder.finish { continuation.yield($0) }
                continuation.finish()
            } catch let error as KubeClientError {
                continuation.finish(throwing: error)
            } catch {
                continuation.finish(throwing: KubeClientError.transport(error, request: name, server: server))
            }
        }
        continuation.onTermination = { _ in pump.cancel() }
        return stream
    }
}

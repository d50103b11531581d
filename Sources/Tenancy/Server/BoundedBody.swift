import Hummingbird

/// The body of a request to the Cloud Director API, read whole but bounded: JSON (cloudapi)
/// and XML (legacy API) bodies share the limit's 413 so a client sees one error for both.
enum BoundedBody {
    /// The bytes of the body; a 413 `VCDError` when there are more than `maximumBytes`.
    static func collect(_ request: Request, upTo maximumBytes: Int) async throws -> ByteBuffer {
        var request = request
        do {
            return try await request.collectBody(upTo: maximumBytes)
        } catch {
            throw VCDError(.contentTooLarge, "BAD_REQUEST", "The request body is larger than \(maximumBytes) bytes.")
        }
    }
}

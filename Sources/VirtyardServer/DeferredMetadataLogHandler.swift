import Logging

/// Writes what `StreamLogHandler` writes, but keeps the logger's metadata as it is given and
/// formats it only when a message is written.
///
/// `StreamLogHandler` formats its whole metadata each time a key is set, and Hummingbird sets
/// a request ID on the logger of every request: at the default level, where a request writes
/// nothing, that formatting was 1 % of the API server's CPU under load.
public struct DeferredMetadataLogHandler: LogHandler {
    private var output: StreamLogHandler
    public var metadata: Logger.Metadata = [:]

    public init(_ output: StreamLogHandler) {
        self.output = output
        // Kept here, not in `output`, so that setting it formats nothing.
        self.metadata = output.metadata
        self.output.metadata = [:]
    }

    /// Standard error, as `StreamLogHandler.standardError(label:)`, at `level`.
    public static func standardError(label: String, level: Logger.Level) -> DeferredMetadataLogHandler {
        var output = StreamLogHandler.standardError(label: label)
        output.logLevel = level
        return DeferredMetadataLogHandler(output)
    }

    public var logLevel: Logger.Level {
        get { output.logLevel }
        set { output.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { output.metadataProvider }
        set { output.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        guard !metadata.isEmpty else { return output.log(event: event) }
        // `StreamLogHandler`'s precedence: the logger's metadata, then the provider's, then the
        // message's own. The output applies its provider again, under the merged result.
        var merged = metadata
        if let provided = output.metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata { merged.merge(explicit) { _, explicit in explicit } }
        var event = event
        event.metadata = merged
        output.log(event: event)
    }
}

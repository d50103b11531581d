import Logging
import Synchronization
import Testing
import VirtyardServer

/// Lines written to memory.
private final class CapturedLines: TextOutputStream, Sendable {
    private let text = Mutex("")
    func write(_ string: String) { text.withLock { $0 += string } }
    /// Each line without its timestamp (the text before the level).
    var lines: [String] {
        text.withLock { $0 }.split(separator: "\n").map { line in
            String(line.drop { $0 != " " }.dropFirst())
        }
    }
}

@Suite struct DeferredMetadataLogHandlerTests {
    /// The same logger, written through `StreamLogHandler` and through the deferred handler,
    /// must give the same lines whatever metadata the logger and the message carry.
    @Test func linesAreThoseOfStreamLogHandler() {
        func write(to logger: inout Logger) {
            logger.info("plain")
            logger[metadataKey: "hb.request.id"] = "17"
            logger[metadataKey: "zone"] = ["a", "b"]
            logger.warning("with the logger's metadata")
            logger.error("a message's own key wins", metadata: ["zone": "explicit", "extra": "1"])
            logger[metadataKey: "zone"] = nil
            logger.debug("below the level: not written")
            logger.notice("after a key was removed")
        }
        let streamed = CapturedLines()
        let deferred = CapturedLines()
        var reference = Logger(label: "test") { label in StreamLogHandler(label: label, stream: streamed, metadataProvider: nil) }
        var logger = Logger(label: "test") { label in
            DeferredMetadataLogHandler(StreamLogHandler(label: label, stream: deferred, metadataProvider: nil))
        }
        write(to: &reference)
        write(to: &logger)
        #expect(deferred.lines.count == 4)
        #expect(deferred.lines == streamed.lines)
        #expect(deferred.lines[2].contains("extra=1 hb.request.id=17 zone=explicit"))
        #expect(deferred.lines[3].contains("hb.request.id=17 [VirtyardServerTests]"))
    }

    /// A metadata provider's keys win over the logger's and lose to the message's, as in
    /// `StreamLogHandler`.
    @Test func aMetadataProvidersKeysKeepTheirPlace() {
        let provider = Logger.MetadataProvider { ["zone": "provided", "trace": "t1"] }
        let streamed = CapturedLines()
        let deferred = CapturedLines()
        var reference = Logger(label: "test") { label in
            StreamLogHandler(label: label, stream: streamed, metadataProvider: provider)
        }
        var logger = Logger(label: "test") { label in
            DeferredMetadataLogHandler(StreamLogHandler(label: label, stream: deferred, metadataProvider: provider))
        }
        func write(to logger: inout Logger) {
            logger[metadataKey: "zone"] = "logger"
            logger.info("from the provider")
            logger.info("from the message", metadata: ["trace": "explicit"])
        }
        write(to: &reference)
        write(to: &logger)
        #expect(deferred.lines == streamed.lines)
        #expect(deferred.lines.first?.contains("trace=t1 zone=provided") == true)
        #expect(deferred.lines.last?.contains("trace=explicit zone=provided") == true)
    }

    @Test func theLevelIsTheOutputsLevel() {
        let lines = CapturedLines()
        var output = StreamLogHandler(label: "test", stream: lines, metadataProvider: nil)
        output.logLevel = .warning
        output.metadata = ["kept": "yes"]
        var logger = Logger(label: "test") { _ in DeferredMetadataLogHandler(output) }
        #expect(logger.logLevel == .warning)
        logger.info("not written")
        logger.warning("written")
        logger.logLevel = .debug
        logger.debug("written at the new level")
        #expect(lines.lines.map { $0.contains("written") && $0.contains("kept=yes") } == [true, true])
    }
}

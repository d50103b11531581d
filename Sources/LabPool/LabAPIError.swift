import PlatformHTTP

/// A lab API failure: the platform's one error type, answered as `{"error", "message"}` with
/// its HTTP status (``PlatformError``; ``PlatformError/sessionNotFound(_:)`` is the answer
/// for another session's id too).
typealias LabAPIError = PlatformError

import Hummingbird

/// The console's one cookie: the session id, HttpOnly and SameSite=Strict, scoped to `/ui`.
enum ConsoleCookie {
    static let name = "vy_ui"

    static func set(_ id: String, secure: Bool) -> String {
        "\(name)=\(id); Path=/ui; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    static func clear(secure: Bool) -> String {
        "\(name)=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The session id in a request's `Cookie` headers, if any.
    static func sessionID(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix("\(name)=") { return String(pair.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }
}

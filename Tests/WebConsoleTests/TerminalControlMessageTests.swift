import Foundation
import HTTPTypes
import Hummingbird
import KubeModel
import Testing

@testable import WebConsole

@Suite struct TerminalControlMessageTests {
    @Test func readsAResize() {
        #expect(TerminalControlMessage.parse(#"{"resize":[120,40]}"#) == .resize(TerminalSize(columns: 120, rows: 40)))
        #expect(TerminalControlMessage.parse(#"{ "resize" : [ 2 , 1 ] }"#) == .resize(TerminalSize(columns: 2, rows: 1)))
    }

    @Test func anythingElseIsNotAControlMessage() {
        for text in [
            "ls -la\r", "{", #"{"resize":[80]}"#, #"{"resize":[80,24,1]}"#, #"{"resize":["80","24"]}"#,
            #"{"resize":[80.5,24]}"#, #"{"resize":[true,24]}"#, #"{"resize":[0,24]}"#, #"{"resize":[80,0]}"#,
            #"{"resize":[100000,24]}"#, #"{"resize":[-80,24]}"#, #"{"resize":null}"#, #"["resize",80,24]"#,
            #"{"resize":[80,24],"pad":""# + String(repeating: "x", count: 1100) + #""}"#,
        ] {
            #expect(TerminalControlMessage.parse(text) == nil, "\(text.prefix(40))")
        }
        // Both at once, or a reason that is not a string: neither.
        #expect(TerminalControlMessage.parse(#"{"resize":[80,24],"closed":"x"}"#) == nil)
        #expect(TerminalControlMessage.parse(#"{"closed":7}"#) == nil)
    }

    @Test func eachMessageReadsBackFromItsText() {
        for message in [TerminalControlMessage.resize(TerminalSize(columns: 132, rows: 43)), .closed(#"The "lab" ended."#)] {
            #expect(TerminalControlMessage.parse(message.text) == message)
        }
    }

    @Test func theClosedMessageIsJSON() throws {
        let text = TerminalControlMessage.closed(#"The "lab" ended."#).text
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        #expect(object == ["closed": #"The "lab" ended."#])
    }

    func upgrade(origin: String?, host: String = "127.0.0.1:8080", cookie: String? = nil) -> Request {
        var fields: HTTPFields = [.upgrade: "websocket"]
        if let origin { fields[.origin] = origin }
        if let cookie { fields[.cookie] = cookie }
        let head = HTTPRequest(method: .get, scheme: nil, authority: host, path: "/ui/labs/sessions/s/terminal", headerFields: fields)
        return Request(head: head, body: .init(buffer: ByteBuffer()))
    }

    @Test func onlyTheServersOwnOriginMayUpgrade() {
        #expect(TerminalRoute.originIsOwn(upgrade(origin: "http://127.0.0.1:8080")))
        #expect(TerminalRoute.originIsOwn(upgrade(origin: "https://console.example:8443", host: "console.example:8443")))
        #expect(!TerminalRoute.originIsOwn(upgrade(origin: nil)))
        #expect(!TerminalRoute.originIsOwn(upgrade(origin: "null")))
        #expect(!TerminalRoute.originIsOwn(upgrade(origin: "http://attacker.example")))
        #expect(!TerminalRoute.originIsOwn(upgrade(origin: "http://127.0.0.1:8081")))
        #expect(!TerminalRoute.originIsOwn(upgrade(origin: "http://127.0.0.1:8080.attacker.example")))
    }

    @Test func aSignedOutBrowserIsRefusedEvenFromTheRightOrigin() throws {
        let sessions = ConsoleSessionStore(adminToken: "admin-token", lookup: nil)
        let own = "http://127.0.0.1:8080"
        #expect(TerminalRoute.refusal(upgrade(origin: own), session: "s", sessions: sessions) == "not signed in")
        let admin = try #require(sessions.signIn(token: "admin-token"))
        let cookie = "vy_ui=\(admin.id)"
        #expect(TerminalRoute.refusal(upgrade(origin: own, cookie: cookie), session: "s", sessions: sessions) == nil)
        #expect(
            TerminalRoute.refusal(upgrade(origin: "http://attacker.example", cookie: cookie), session: "s", sessions: sessions)
                == "the Origin is not this server")
    }
}

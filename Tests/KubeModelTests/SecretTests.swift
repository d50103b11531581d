import Foundation
import KubeModel
import Testing

@Suite struct SecretTests {
    @Test func dataIsDecodedFromBase64() {
        let stored: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s", "namespace": "default"],
            "type": "Opaque", "data": ["token": "c2VjcmV0", "binary": "AP8Q"],
        ]
        let secret = Secret(stored)
        #expect(secret.type == .opaque)
        #expect(secret.data == ["token": Data("secret".utf8), "binary": Data([0x00, 0xFF, 0x10])])
        #expect(secret[data: "token"] == Data("secret".utf8))
        #expect(secret.string("token") == "secret")
        // Bytes that are not UTF-8 are data, not text.
        #expect(secret.string("binary") == nil)
        #expect(secret.string("absent") == nil)
    }

    @Test func dataIsEncodedToBase64AndOtherFieldsSurvive() {
        var secret = Secret(["metadata": ["name": "s"], "immutable": true, "data": ["keep": "a2VlcA=="]])
        secret[data: "token"] = Data("secret".utf8)
        #expect(secret.object["data"] == ["keep": "a2VlcA==", "token": "c2VjcmV0"])
        secret[data: "keep"] = nil
        #expect(secret.object["data"] == ["token": "c2VjcmV0"])
        secret.data = [:]
        #expect(secret.object["data"] == nil)
        // A field the view does not know is untouched by its writes.
        #expect(secret.object["immutable"] == true)
    }

    @Test func anEntryThatIsNotBase64IsLeftOut() {
        // Hostile or broken input: no crash, no guess.
        let secret = Secret(["data": ["bad": "not base64!", "number": 3, "good": "Zm9v"]])
        #expect(secret.data == ["good": Data("foo".utf8)])
        #expect(secret[data: "bad"] == nil)
        #expect(secret[data: "number"] == nil)
    }

    @Test func aNewSecretCarriesItsTypeAndStringData() {
        var secret = Secret(name: "lab-session-a", namespace: "labs", type: .tls)
        secret.stringData = ["token": "plain"]
        #expect(
            secret.object == [
                "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                "metadata": ["name": "lab-session-a", "namespace": "labs"],
                "stringData": ["token": "plain"],
            ])
        #expect(secret.stringData == ["token": "plain"])
        #expect(secret.name == "lab-session-a" && secret.namespace == "labs")
        secret.stringData = [:]
        secret.type = nil
        #expect(secret.object["stringData"] == nil && secret.object["type"] == nil)
        // Types the core API does not name are kept as written.
        #expect(Secret(["type": "example.com/custom"]).type?.rawValue == "example.com/custom")
    }

    @Test func declaresEveryTopLevelFieldItUses() {
        #expect(Secret.fieldPaths.map(\.description) == ["type", "data", "stringData"])
    }
}

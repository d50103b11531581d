import Testing

@testable import WebConsole

@Suite struct FormDataTests {
    @Test func parsesFieldsInOrder() throws {
        let form = try #require(FormData.parse(urlEncoded: "token=a%2Bb&x=1+2&x=3&empty"))
        #expect(form["token"] == "a+b")
        #expect(form.values("x") == ["1 2", "3"])
        #expect(form["empty"] == "")
        #expect(form["missing"] == nil)
    }

    @Test func refusesTooManyFieldsAndBadEncoding() {
        let many = (0...FormData.maximumFields).map { "f\($0)=1" }.joined(separator: "&")
        #expect(FormData.parse(urlEncoded: many) == nil)
        #expect(FormData.parse(urlEncoded: "a=%zz") == nil)
        #expect(FormData.parse(urlEncoded: String(repeating: "n", count: 300) + "=1") == nil)
    }
}

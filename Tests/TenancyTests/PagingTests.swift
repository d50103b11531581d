import KubeModel
import Testing

@testable import Tenancy

@Suite struct PagingTests {
    func paging(_ query: [String: String]) throws(VCDError) -> Paging { try Paging { query[$0] } }

    @Test func readsBothSpellingsOfThePageSize() throws {
        #expect(try paging([:]) == Paging(page: 1, pageSize: 25))
        #expect(try paging(["pageSize": "10", "page": "3"]) == Paging(page: 3, pageSize: 10))
        #expect(try paging(["page_size": "7"]) == Paging(page: 1, pageSize: 7))
        #expect(try paging(["pageSize": "5", "page_size": "7"]).pageSize == 5)
        #expect(try paging(["pageSize": "100000"]).pageSize == 128)
    }

    @Test(arguments: ["0", "-1", "x", "1.5", ""])
    func refusesValuesThatAreNotPositiveIntegers(_ value: String) {
        #expect(throws: VCDError.self) { try paging(["page": value]) }
        #expect(throws: VCDError.self) { try paging(["pageSize": value]) }
    }

    @Test func selectsThePageAndCountsPages() {
        let items = (1...7).map { JSONValue.int($0) }
        let second = Paging(page: 2, pageSize: 3).page(of: items)
        #expect(second["resultTotal"] == .int(7))
        #expect(second["pageCount"] == .int(3))
        #expect(second["values"] == [.int(4), .int(5), .int(6)])
        #expect(Paging(page: 3, pageSize: 3).page(of: items)["values"] == [.int(7)])
        #expect(Paging(page: 9, pageSize: 3).page(of: items)["values"] == [])
        #expect(Paging(page: Int.max, pageSize: 128).page(of: items)["values"] == [])
        #expect(Paging().page(of: [])["pageCount"] == .int(0))
    }
}

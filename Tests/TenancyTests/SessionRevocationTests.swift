import Foundation
import Testing

@testable import Tenancy

@Suite struct SessionRevocationTests {
    @Test func revokesByOrganisationAndByPredicate() {
        let store = SessionStore()
        let ann = Principal(userID: "ann", userName: "ann", organization: InMemoryTenants.acme, role: .vAppUser)
        let gus = Principal(userID: "gus", userName: "gus", organization: InMemoryTenants.globex, role: .vAppUser)
        let (annToken, _) = store.open(for: ann)
        let (gusToken, _) = store.open(for: gus)
        store.revokeAll(organizationID: InMemoryTenants.acme.id)
        #expect(store.session(for: annToken) == nil)
        #expect(store.session(for: gusToken) != nil)
        let ended = store.revokeAll { $0.userID == "gus" }
        #expect(ended == ["gus"])
        #expect(store.session(for: gusToken) == nil)
        #expect(store.count == 0)
    }
}

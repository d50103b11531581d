import Testing

@testable import Provisioning

@Suite struct ServiceStartupOrderTests {
    typealias Entry = ServiceStartupOrder.Entry

    @Test func dependenciesStartFirst() throws {
        let order = try ServiceStartupOrder.order([
            Entry(name: "lb", dependsOn: ["dns"]),
            Entry(name: "pxe", dependsOn: ["dhcp", "dns"]),
            Entry(name: "dhcp"),
            Entry(name: "dns", dependsOn: ["dhcp"]),
        ]).get()
        #expect(order == ["dhcp", "dns", "lb", "pxe"])
    }

    @Test func startupOrderBreaksTies() throws {
        let order = try ServiceStartupOrder.order([
            Entry(name: "monitoring", startupOrder: 9),
            Entry(name: "storage", startupOrder: 1),
            Entry(name: "lb", dependsOn: ["storage"], startupOrder: 0),
            Entry(name: "dns", startupOrder: 1),
        ]).get()
        // storage and dns tie on 1: the order written decides.
        #expect(order == ["storage", "lb", "dns", "monitoring"])
    }

    @Test func cycleIsReportedAsAPath() {
        let result = ServiceStartupOrder.order([
            Entry(name: "a", dependsOn: ["b"]),
            Entry(name: "b", dependsOn: ["c"]),
            Entry(name: "c", dependsOn: ["a"]),
            Entry(name: "d", dependsOn: ["a"]),
        ])
        guard case .failure(let cycle) = result else {
            Issue.record("expected a cycle, got \(result)")
            return
        }
        #expect(cycle.path == ["a", "b", "c", "a"])
        #expect(cycle.description == "dependency cycle: a → b → c → a")
    }

    @Test func cycleFoundFromAServiceOutsideIt() {
        let result = ServiceStartupOrder.order([
            Entry(name: "x", dependsOn: ["y"]), Entry(name: "y", dependsOn: ["z"]), Entry(name: "z", dependsOn: ["y"]),
        ])
        guard case .failure(let cycle) = result else {
            Issue.record("expected a cycle")
            return
        }
        #expect(cycle.path == ["y", "z", "y"])
    }

    @Test func unknownDependenciesAndDuplicatesDoNotBreakOrdering() throws {
        let order = try ServiceStartupOrder.order([Entry(name: "a", dependsOn: ["ghost"]), Entry(name: "a"), Entry(name: "b")]).get()
        #expect(order == ["a", "b"])
    }

    @Test func emptyIsEmpty() throws {
        #expect(try ServiceStartupOrder.order([]).get().isEmpty)
    }
}

import Foundation
import KubeModel
import Synchronization
import Testing
import VirtyardTesting

@testable import KubeClient
@testable import KubeServer

/// KubeVirt's `console` subresource end to end: the embedded API serving it as a WebSocket
/// from a ``VMConsoles`` provider, and the client opening it (the web console's terminal
/// path, embedded or against a real cluster).
@Suite struct VMConsoleTests {
    /// A guest that shouts back what it is sent, remembers its size, and ends on "bye".
    final class ShoutingGuest: TerminalConnection {
        let output: AsyncStream<[UInt8]>
        private let printer: AsyncStream<[UInt8]>.Continuation
        private let state = Mutex<(sizes: [TerminalSize], closeReason: String?, detached: Bool)>(([], nil, false))

        init() {
            (output, printer) = AsyncStream.makeStream(of: [UInt8].self)
            printer.yield(Array("login: ".utf8))
        }

        var closeReason: String? { state.withLock { $0.closeReason } }
        var sizes: [TerminalSize] { state.withLock { $0.sizes } }
        var detached: Bool { state.withLock { $0.detached } }

        func send(_ bytes: [UInt8]) async {
            let text = String(decoding: bytes, as: UTF8.self)
            if text == "bye" {
                state.withLock { $0.closeReason = "The guest said bye." }
                printer.finish()
                return
            }
            printer.yield(Array(text.uppercased().utf8))
        }

        func resize(_ size: TerminalSize) { state.withLock { $0.sizes.append(size) } }
        func detach() {
            state.withLock { $0.detached = true }
            printer.finish()
        }
    }

    final class Guests: VMConsoles {
        let attached = Mutex<[String: ShoutingGuest]>([:])

        func attach(namespace: String, name: String) async throws -> any TerminalConnection {
            guard name != "stopped" else { throw VMConsoleUnavailable("The VM \(namespace)/\(name) is not running.") }
            let guest = ShoutingGuest()
            attached.withLock { $0["\(namespace)/\(name)"] = guest }
            return guest
        }
    }

    /// Reads output until `wanted` has appeared (or the stream ends).
    static func read(_ output: AsyncStream<[UInt8]>, until wanted: String) async -> String {
        var seen = ""
        for await chunk in output {
            seen += String(decoding: chunk, as: UTF8.self)
            if seen.contains(wanted) { break }
        }
        return seen
    }

    @Test func aClientTypesIntoTheGuestAndReadsItsAnswer() async throws {
        let guests = Guests()
        try await TestCluster.run(vmConsoles: guests) { cluster in
            let client = try cluster.client()
            let console = client.openVMConsole(namespace: "lab-1", name: "cp-lab-1", sendsResize: true)
            var output = console.output.makeAsyncIterator()
            var greeting = ""
            while !greeting.contains("login: "), let chunk = await output.next() { greeting += String(decoding: chunk, as: UTF8.self) }
            #expect(greeting == "login: ")
            console.resize(TerminalSize(columns: 132, rows: 43))
            await console.send(Array("hello".utf8))
            var answer = ""
            while !answer.contains("HELLO"), let chunk = await output.next() { answer += String(decoding: chunk, as: UTF8.self) }
            #expect(answer == "HELLO")
            let guest = try #require(guests.attached.withLock { $0["lab-1/cp-lab-1"] })
            #expect(guest.sizes == [TerminalSize(columns: 132, rows: 43)])
            // The guest ends the console: the client hears why.
            await console.send(Array("bye".utf8))
            while await output.next() != nil {}
            #expect(console.closeReason == "The guest said bye.")
        }
    }

    @Test func aSerialConsoleIsNotSentSizes() async throws {
        let guests = Guests()
        try await TestCluster.run(vmConsoles: guests) { cluster in
            let console = try cluster.client().openVMConsole(namespace: "default", name: "vm", sendsResize: false)
            console.resize(TerminalSize(columns: 100, rows: 30))
            await console.send(Array("x".utf8))
            _ = await Self.read(console.output, until: "X")
            #expect(guests.attached.withLock { $0["default/vm"] }?.sizes == [])
            console.detach()
            // Leaving detaches the guest (it may keep running for a reconnect).
            #expect(await eventually { guests.attached.withLock { $0["default/vm"] }?.detached == true })
        }
    }

    @Test func aVMWithoutAConsoleSaysWhy() async throws {
        try await TestCluster.run(vmConsoles: Guests()) { cluster in
            let console = try cluster.client().openVMConsole(namespace: "default", name: "stopped", sendsResize: false)
            var printed = ""
            for await chunk in console.output { printed += String(decoding: chunk, as: UTF8.self) }
            #expect(printed == "")
            #expect(console.closeReason == "The VM default/stopped is not running.")
        }
    }

    @Test func aWrongTokenGetsNoConsole() async throws {
        let guests = Guests()
        try await TestCluster.run(vmConsoles: guests) { cluster in
            let stranger = try cluster.client(kubeconfig: cluster.kubeconfig(token: "not-a-token"))
            let console = stranger.openVMConsole(namespace: "default", name: "vm", sendsResize: false)
            for await _ in console.output {}
            #expect(console.closeReason?.hasPrefix("The VM's console could not be opened") == true)
            #expect(guests.attached.withLock { $0.isEmpty })
        }
    }

    @Test func withoutConsolesThePathIsNotUpgraded() async throws {
        try await TestCluster.run { cluster in
            let console = try cluster.client().openVMConsole(namespace: "default", name: "vm", sendsResize: false)
            for await _ in console.output {}
            #expect(console.closeReason?.hasPrefix("The VM's console could not be opened") == true)
        }
    }

    @Test func aServerAddressedByIPIsVerifiedByAName() {
        #expect(HTTPKubernetesClient.serverName(forIPHost: "127.0.0.1") == "localhost")
        #expect(HTTPKubernetesClient.serverName(forIPHost: "[::1]") == "localhost")
        #expect(HTTPKubernetesClient.serverName(forIPHost: "10.0.0.7") == "kubernetes")
        #expect(HTTPKubernetesClient.serverName(forIPHost: "[fd00::7]") == "kubernetes")
        #expect(HTTPKubernetesClient.serverName(forIPHost: "api.example.com") == nil)
    }

    @Test func onlyAConsolePathNamesATarget() {
        let good = VMConsoleRoute.target(of: "/apis/subresources.kubevirt.io/v1/namespaces/lab-1/virtualmachineinstances/cp-lab-1/console")
        #expect(good?.namespace == "lab-1" && good?.name == "cp-lab-1" && good?.version == "v1")
        for path in [
            "/apis/subresources.kubevirt.io/v1/namespaces/lab-1/virtualmachineinstances/cp-lab-1/vnc",
            "/apis/kubevirt.io/v1/namespaces/lab-1/virtualmachineinstances/cp-lab-1/console",
            "/apis/subresources.kubevirt.io/v9/namespaces/lab-1/virtualmachineinstances/cp-lab-1/console",
            "/apis/subresources.kubevirt.io/v1/namespaces/Lab_1/virtualmachineinstances/cp-lab-1/console",
            "/apis/subresources.kubevirt.io/v1/namespaces/lab-1/virtualmachineinstances/../console",
            "/apis/subresources.kubevirt.io/v1/namespaces/lab-1/virtualmachineinstances/cp-lab-1/console/extra",
            "/clusters/x/apis/subresources.kubevirt.io/v1/namespaces/lab-1/virtualmachineinstances/cp/console",
        ] {
            #expect(VMConsoleRoute.target(of: path) == nil, "\(path)")
        }
    }
}

/// The one-at-a-time handoff behind the console client's output.
@Suite struct HandoffTests {
    final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    @Test func aPutWaitsUntilItsValueIsTaken() async {
        let handoff = Handoff<Int>()
        let returned = Flag()
        let producer = Task {
            #expect(await handoff.put(1))
            returned.set()
        }
        try? await Task.sleep(for: .milliseconds(50))
        #expect(!returned.isSet)
        #expect(await handoff.take() == 1)
        await producer.value
        #expect(returned.isSet)
    }

    @Test func valuesArriveInOrder() async {
        let handoff = Handoff<Int>()
        let producer = Task {
            for value in 1...5 { _ = await handoff.put(value) }
            handoff.finish()
        }
        var taken: [Int] = []
        while let value = await handoff.take() { taken.append(value) }
        await producer.value
        #expect(taken == [1, 2, 3, 4, 5])
    }

    @Test func finishingReleasesBothSides() async {
        let handoff = Handoff<Int>()
        let waitingConsumer = Task { await handoff.take() }
        try? await Task.sleep(for: .milliseconds(20))
        handoff.finish()
        #expect(await waitingConsumer.value == nil)
        #expect(await handoff.put(7) == false)
        #expect(await handoff.take() == nil)
        let other = Handoff<Int>()
        let waitingProducer = Task { await other.put(1) }
        try? await Task.sleep(for: .milliseconds(20))
        other.finish()
        #expect(await waitingProducer.value == false)
    }
}

import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Synchronization
import VirtyardTesting

// Shared by the benchmark suites: arguments, timing, the results file.

let arguments = CommandLine.arguments
func argument(_ name: String, default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
    return Int(arguments[index + 1]) ?? value
}
let output = arguments.firstIndex(of: "--output").map { arguments[$0 + 1] } ?? "bench/results.json"

/// The middle value (the mean of the two middle ones for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// A one-shot signal.
final class AsyncValueBox: Sendable {
    private let state = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func finish() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}

func printHeader(_ baseline: String) {
    print("")
    print(
        "benchmark".padding(toLength: 40, withPad: " ", startingAt: 0), "value".padding(toLength: 12, withPad: " ", startingAt: 0),
        baseline.padding(toLength: 26, withPad: " ", startingAt: 0), "ratio")
}

func row(_ name: String, _ value: Double, _ baseline: Double, _ ratio: Double) {
    print(
        name.padding(toLength: 40, withPad: " ", startingAt: 0),
        String(format: "%-12.1f", value), String(format: "%-26.1f", baseline), String(format: "%.3f", ratio))
}

/// Merges one suite's numbers into the results file, keeping the other suites'.
func writeSection(_ name: String, _ section: [String: Any]) throws {
    var document: [String: Any] = [:]
    if let data = FileManager.default.contents(atPath: output),
        let existing = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    {
        document = existing
    }
    document[name] = section
    let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: output))
    print("\nwrote \(name) to \(output)")
}

import ArgumentParser
import VirtyardServer

extension ListenAddress: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(parsing: argument)
    }
}

/// A listener that can be turned off (`--vcd-listen off`).
enum OptionalListenAddress: ExpressibleByArgument, Sendable {
    case address(ListenAddress)
    case off

    init?(argument: String) {
        if argument == "off" {
            self = .off
        } else if let address = ListenAddress(argument: argument) {
            self = .address(address)
        } else {
            return nil
        }
    }

    var address: ListenAddress? {
        if case .address(let address) = self { return address }
        return nil
    }

    var defaultValueDescription: String { address?.description ?? "off" }
}

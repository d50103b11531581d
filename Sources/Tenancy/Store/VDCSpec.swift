import KubeModel

/// ``VDCSettings`` in the JSON shape shared by the `VDC` object's spec and ssvirt's VDC body:
/// `allocationModel`, `computeCapacity {cpu, memory: {allocated, limit, units}}`, `nicQuota`,
/// `networkQuota`, `isThinProvision`, `providerVdc {name}`.
enum VDCSpec {
    /// Largest capacity number accepted (MHz or MB): far above any real VDC, far below overflow.
    static let maximumCapacity: Int64 = 1 << 40

    static func settings(_ spec: JSONValue) -> VDCSettings {
        var settings = VDCSettings()
        if let model = spec["allocationModel"]?.stringValue.flatMap(VDCSettings.AllocationModel.init(rawValue:)) {
            settings.allocationModel = model
        }
        if let cpu = spec["computeCapacity"]?["cpu"] { settings.cpu = capacity(cpu, default: settings.cpu) }
        if let memory = spec["computeCapacity"]?["memory"] { settings.memory = capacity(memory, default: settings.memory) }
        settings.nicQuota = spec["nicQuota"]?.intValue.map { Int($0) } ?? settings.nicQuota
        settings.networkQuota = spec["networkQuota"]?.intValue.map { Int($0) } ?? settings.networkQuota
        settings.isThinProvision = spec["isThinProvision"]?.boolValue ?? settings.isThinProvision
        settings.providerVDCName = spec["providerVdc"]?["name"]?.stringValue ?? settings.providerVDCName
        return settings
    }

    private static func capacity(_ value: JSONValue, default fallback: VDCSettings.Capacity) -> VDCSettings.Capacity {
        VDCSettings.Capacity(
            allocated: value["allocated"]?.intValue ?? 0, limit: value["limit"]?.intValue ?? 0,
            units: value["units"]?.stringValue ?? fallback.units)
    }

    /// The settings' fields, to merge into a spec or a response body.
    static func fields(_ settings: VDCSettings) -> [String: JSONValue] {
        func capacity(_ capacity: VDCSettings.Capacity) -> JSONValue {
            ["allocated": .int(capacity.allocated), "limit": .int(capacity.limit), "units": .string(capacity.units)]
        }
        return [
            "allocationModel": .string(settings.allocationModel.rawValue),
            "computeCapacity": ["cpu": capacity(settings.cpu), "memory": capacity(settings.memory)],
            "nicQuota": .int(Int64(settings.nicQuota)), "networkQuota": .int(Int64(settings.networkQuota)),
            "isThinProvision": .bool(settings.isThinProvision), "providerVdc": ["name": .string(settings.providerVDCName)],
        ]
    }

    /// Reads a request body's settings over `base`; a field of the wrong type or out of
    /// bounds is a 400 naming it.
    static func merge(_ body: JSONValue, into base: VDCSettings) throws(VCDError) -> VDCSettings {
        var settings = base
        if let value = body["allocationModel"], value != .null {
            let names = VDCSettings.AllocationModel.allCases.map(\.rawValue)
            guard let text = value.stringValue, let model = VDCSettings.AllocationModel(rawValue: text) else {
                throw .badRequest("allocationModel must be one of \(names.joined(separator: ", ")).")
            }
            settings.allocationModel = model
        }
        if let compute = body["computeCapacity"], compute != .null {
            guard compute.objectValue != nil else { throw .badRequest("computeCapacity must be an object {cpu, memory}.") }
            settings.cpu = try capacity(compute["cpu"], "computeCapacity.cpu", base: settings.cpu, units: ["MHz", "GHz", "cores"])
            settings.memory = try capacity(compute["memory"], "computeCapacity.memory", base: settings.memory, units: ["MB", "GB"])
        }
        settings.nicQuota = try count(body["nicQuota"], "nicQuota") ?? settings.nicQuota
        settings.networkQuota = try count(body["networkQuota"], "networkQuota") ?? settings.networkQuota
        if let thin = body["isThinProvision"], thin != .null {
            guard let flag = thin.boolValue else { throw .badRequest("isThinProvision must be true or false.") }
            settings.isThinProvision = flag
        }
        if let provider = body["providerVdc"]?["name"]?.stringValue, !provider.isEmpty {
            guard provider.count <= 128 else { throw .badRequest("providerVdc.name is longer than 128 characters.") }
            settings.providerVDCName = provider
        }
        return settings
    }

    private static func capacity(_ value: JSONValue?, _ path: String, base: VDCSettings.Capacity, units: [String])
        throws(VCDError) -> VDCSettings.Capacity
    {
        guard let value, value != .null else { return base }
        guard value.objectValue != nil else { throw .badRequest("\(path) must be an object {allocated, limit, units}.") }
        var result = base
        for key in ["allocated", "limit"] {
            guard let field = value[key], field != .null else { continue }
            guard let number = field.intValue, (0...maximumCapacity).contains(number) else {
                throw .badRequest("\(path).\(key) must be an integer from 0 to \(maximumCapacity).")
            }
            if key == "allocated" { result.allocated = number } else { result.limit = number }
        }
        if let unit = value["units"], unit != .null {
            guard let text = unit.stringValue, units.contains(text) else {
                throw .badRequest("\(path).units must be one of \(units.joined(separator: ", ")).")
            }
            result.units = text
        }
        return result
    }

    private static func count(_ value: JSONValue?, _ name: String) throws(VCDError) -> Int? {
        guard let value, value != .null else { return nil }
        guard let number = value.intValue, (-1...100_000).contains(number) else {
            throw .badRequest("\(name) must be an integer from -1 (unlimited) to 100000.")
        }
        return Int(number)
    }
}

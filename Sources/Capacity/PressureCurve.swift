/// node-classifier-sim's pressure curve: almost no stall below 70 % use, a linear rise to
/// 0.2 at 90 %, then a steep quadratic one to 0.8 at 100 %.
public enum PressureCurve {
    public static func pressure(usage: Double) -> Double {
        let u = max(0, usage)
        if u < 0.7 { return min(0.05, u * 0.07) }
        if u < 0.9 { return (u - 0.7) / 0.2 * 0.20 }
        let over = (u - 0.9) / 0.1
        return 0.20 + over * over * 0.60
    }

    /// CPU demand past the node's capacity keeps adding stall, half a point per 100 % over,
    /// up to 1.
    public static func cpuPressure(demand: Double) -> Double {
        demand <= 1 ? pressure(usage: demand) : min(1, pressure(usage: 1) + (demand - 1) * 0.5)
    }

    /// Memory cannot be overcommitted in the model: usage saturates at 1.
    public static func memoryPressure(usage: Double) -> Double { pressure(usage: min(1, usage)) }
}

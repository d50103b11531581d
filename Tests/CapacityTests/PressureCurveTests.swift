import Capacity
import Testing

struct PressureCurveTests {
    @Test func stallIsSmallBelowSeventyPercentAndSteepAboveNinety() {
        #expect(PressureCurve.pressure(usage: 0.5) <= 0.05)
        #expect(abs(PressureCurve.pressure(usage: 0.9) - 0.2) < 1e-9)
        #expect(abs(PressureCurve.pressure(usage: 1.0) - 0.8) < 1e-9)
    }

    @Test func memoryCannotBeOvercommittedButCPUCan() {
        #expect(PressureCurve.memoryPressure(usage: 2) == PressureCurve.pressure(usage: 1))
        #expect(PressureCurve.cpuPressure(demand: 1.5) > PressureCurve.pressure(usage: 1))
        #expect(PressureCurve.cpuPressure(demand: 10) == 1)
    }
}

import ControllerKit
import Testing

@Suite("MicroTime")
struct MicroTimeTests {
    @Test func formatsWithSixFractionDigitsInUTC() {
        #expect(MicroTime(microsecondsSince1970: 0).description == "1970-01-01T00:00:00.000000Z")
        #expect(MicroTime(microsecondsSince1970: 1_700_000_000_123_456).description == "2023-11-14T22:13:20.123456Z")
        #expect(MicroTime(microsecondsSince1970: -1).description == "1969-12-31T23:59:59.999999Z")
        #expect(MicroTime(microsecondsSince1970: 951_782_400_000_000).description == "2000-02-29T00:00:00.000000Z")
    }

    @Test func parsesWhatKubernetesWrites() {
        let expected = MicroTime(microsecondsSince1970: 1_795_435_200_000_000)
        #expect(MicroTime(parsing: "2026-11-23T12:00:00.000000Z") == expected)
        #expect(MicroTime(parsing: "2026-11-23T12:00:00Z") == expected)
        #expect(MicroTime(parsing: "2026-11-23T14:00:00+02:00") == expected)
        #expect(MicroTime(parsing: "2026-11-23T12:00:00.5Z")?.microsecondsSince1970 == 1_795_435_200_500_000)
        #expect(MicroTime(parsing: "2026-11-23T12:00:00.123456789Z")?.microsecondsSince1970 == 1_795_435_200_123_456)
    }

    @Test func refusesMalformedText() {
        for text in [
            "", "2026-11-23", "2026-11-23T12:00:00", "2026-13-01T00:00:00Z", "2026-11-23T12:00:00.Z",
            "2026-11-23T12:00:00Zjunk", "2026-11-23 12:00:00Z",
        ] {
            #expect(MicroTime(parsing: text) == nil, "\(text)")
        }
    }

    @Test func roundTrips() {
        let now = MicroTime.now()
        #expect(MicroTime(parsing: now.description) == now)
    }
}

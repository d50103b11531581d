import Testing

@testable import KubeModel

@Suite struct QuantityTests {
    @Test(
        arguments: [
            ("500m", 500),
            ("2", 2000),
            ("1.5", 1500),
            ("+5", 5000),
            ("-1", -1000),
            ("0", 0),
            ("0.000", 0),
            ("1Ki", 1_024_000),
            ("1.5Ki", 1_536_000),
            ("4Gi", 4_294_967_296_000),
            ("1.5Gi", 1_610_612_736_000),
            ("8Pi", 9_007_199_254_740_992_000),
            ("1e3", 1_000_000),
            ("1E3", 1_000_000),
            ("1k", 1_000_000),
            ("100M", 100_000_000_000),
            ("2G", 2_000_000_000_000),
            // Below a thousandth, values round up as Kubernetes' MilliValue does.
            ("0.1m", 1),
            ("1n", 1),
            ("2.5e-3", 3),
        ] as [(String, Int64)])
    func parses(text: String, milliValue: Int64) throws {
        #expect(try Quantity(parsing: text).milliValue == milliValue)
    }

    @Test func valueRoundsUpToWholeUnits() throws {
        #expect(try Quantity(parsing: "500m").value == 1)
        #expect(try Quantity(parsing: "1500m").value == 2)
        #expect(try Quantity(parsing: "2").value == 2)
        #expect(try Quantity(parsing: "4Gi").value == 4_294_967_296)
        #expect(try Quantity(parsing: "1.5Gi").value == 1_610_612_736)
        #expect(try Quantity(parsing: "100M").value == 100_000_000)
        #expect(try Quantity(parsing: "1e3").value == 1000)
        #expect(try Quantity(parsing: "-1").value == -1)
        #expect(try Quantity(parsing: "-1500m").value == -1)
        #expect(try Quantity(parsing: "250m").doubleValue == 0.25)
    }

    @Test func rejectsMalformedText() {
        let noDigits = #expect(throws: QuantityError.self) { try Quantity(parsing: "abc") }
        #expect(noDigits?.reason == "no digits")
        let badSuffix = #expect(throws: QuantityError.self) { try Quantity(parsing: "1Qi") }
        #expect(badSuffix?.reason == "unknown suffix \"Qi\"")
        #expect(badSuffix?.text == "1Qi")
        let empty = #expect(throws: QuantityError.self) { try Quantity(parsing: "") }
        #expect(empty?.reason == "empty quantity")
        for text in ["-", "Ki", "1.2.3", "1 Ki", "1e", "1e99", "1ki", "0x10"] {
            #expect(throws: QuantityError.self, "\(text)") { try Quantity(parsing: text) }
        }
        // Beyond Int64 thousandths the value is refused rather than wrapped.
        let overflow = #expect(throws: QuantityError.self) { try Quantity(parsing: "99999999999999999999") }
        #expect(overflow?.reason == "out of range")
    }

    @Test func errorDescriptionQuotesTheText() {
        let error = QuantityError(text: "1Qi", reason: "unknown suffix \"Qi\"")
        #expect(error.description.hasSuffix(#": "1Qi": unknown suffix "Qi""#))
    }

    @Test func descriptionText() throws {
        #expect(Quantity(milliValue: 250).description == "250m")
        #expect(try Quantity(parsing: "2").description == "2")
        #expect(try Quantity(parsing: "1.5").description == "1500m")
        #expect(try Quantity(parsing: "4Gi").description == "4Gi")
        #expect(try Quantity(parsing: "1.5Gi").description == "1536Mi")
        #expect(try Quantity(parsing: "2048Ki").description == "2Mi")
        #expect(try Quantity(parsing: "8Pi").description == "8Pi")
        #expect(try Quantity(parsing: "0").description == "0")
        #expect(try Quantity(parsing: "-1").description == "-1")
        #expect(try Quantity(parsing: "0.1m").description == "1m")
        // Decimal suffixes are written out in full.
        #expect(try Quantity(parsing: "1k").description == "1000")
        #expect(try Quantity(parsing: "1e3").description == "1000")
        #expect(try Quantity(parsing: "100M").description == "100000000")
        // Whole numbers that are exact multiples of 1024 take a binary suffix.
        #expect(Quantity(1024).description == "1Ki")
        #expect(Quantity(-1024).description == "-1Ki")
        #expect(Quantity(1000).description == "1000")
    }

    @Test(arguments: ["250m", "2", "4Gi", "1536Mi", "1500m", "0", "-1", "7Ki", "110", "1m"])
    func canonicalTextRoundTrips(text: String) throws {
        #expect(try Quantity(parsing: text).description == text)
    }

    @Test(arguments: ["1.5Gi", "1k", "100M", "1e3", "0.5", "3.25Ki", "12345m", "+5"])
    func descriptionParsesBackToTheSameQuantity(text: String) throws {
        let quantity = try Quantity(parsing: text)
        #expect(try Quantity(parsing: quantity.description) == quantity)
    }

    @Test func fromJSON() {
        #expect(Quantity(json: .int(3))?.milliValue == 3000)
        #expect(Quantity(json: .double(0.5))?.milliValue == 500)
        #expect(Quantity(json: .double(0.25))?.milliValue == 250)
        #expect(Quantity(json: .double(1.5))?.milliValue == 1500)
        #expect(Quantity(json: .double(0.0001))?.milliValue == 1, "sub-milli doubles round up")
        #expect(Quantity(json: .string("100Mi"))?.value == 104_857_600)
        #expect(Quantity(json: .string("250m"))?.milliValue == 250)
        #expect(Quantity(json: .string("bad")) == nil)
        #expect(Quantity(json: nil) == nil)
        #expect(Quantity(json: .null) == nil)
        #expect(Quantity(json: .bool(true)) == nil)
        #expect(Quantity(json: .double(.infinity)) == nil)
        #expect(Quantity(json: .double(1e13)) == nil)
        #expect(Quantity(json: ["cpu": "1"]) == nil)
    }

    @Test func jsonFormIsAString() throws {
        #expect(Quantity(2).json == .string("2"))
        #expect(Quantity(milliValue: 500).json == .string("500m"))
        #expect(try Quantity(parsing: "1Gi").json == .string("1Gi"))
    }

    @Test func arithmeticAndOrdering() throws {
        let half = try Quantity(parsing: "500m")
        let oneAndAHalf = try Quantity(parsing: "1.5")
        #expect(half + oneAndAHalf == Quantity(2))
        #expect(oneAndAHalf - half == Quantity(1))
        #expect(half < oneAndAHalf)
        #expect(try Quantity(parsing: "1Ki") > Quantity(parsing: "1k"))
        #expect(Quantity.zero == Quantity(milliValue: 0))
        #expect(Quantity(5).milliValue == 5000)
    }
}

@Suite struct GoDurationTests {
    @Test(
        arguments: [
            ("300ms", Duration.milliseconds(300)),
            ("1m30s", .seconds(90)),
            ("2h", .seconds(7200)),
            ("1.5s", .milliseconds(1500)),
            ("1.5h", .seconds(5400)),
            ("0", .zero),
            ("0s", .zero),
            ("-0", .zero),
            ("-5s", .seconds(-5)),
            ("+5s", .seconds(5)),
            ("500us", .microseconds(500)),
            ("500µs", .microseconds(500)),
            ("10ns", .nanoseconds(10)),
            ("1h2m3.004s", .milliseconds(3_723_004)),
            ("1s1s", .seconds(2)),
        ] as [(String, Duration)])
    func parses(text: String, expected: Duration) throws {
        #expect(try GoDuration.parse(text) == expected)
    }

    @Test(arguments: ["5", "abc", "1d", "", "-", "s", "1.5", "1h-5m", "1 s", "9999999999h"])
    func rejects(text: String) {
        let error = #expect(throws: GoDurationError.self) { try GoDuration.parse(text) }
        #expect(error?.text == text)
    }

    @Test func errorDescriptionIsGos() {
        #expect(GoDurationError(text: "5").description == #"time: invalid duration "5""#)
    }

    @Test(
        arguments: [
            (Duration.seconds(90), "1m30s"),
            (.milliseconds(250), "250ms"),
            (.zero, "0s"),
            (.seconds(3600), "1h0m0s"),
            (.milliseconds(1500), "1.5s"),
            (.seconds(59), "59s"),
            (.seconds(60), "1m0s"),
            (.seconds(86400), "24h0m0s"),
            (.seconds(-90), "-1m30s"),
            (.milliseconds(3_723_004), "1h2m3.004s"),
            (.nanoseconds(1_000_000_001), "1.000000001s"),
            (.nanoseconds(5), "5ns"),
            (.microseconds(5), "5µs"),
            (.milliseconds(1), "1ms"),
        ] as [(Duration, String)])
    func formats(duration: Duration, expected: String) {
        #expect(GoDuration.format(duration) == expected)
    }

    @Test(
        arguments: [
            Duration.seconds(90), .milliseconds(250), .milliseconds(1500), .seconds(3600), .seconds(-90),
            .nanoseconds(1_000_000_001), .microseconds(5), .milliseconds(3_723_004),
        ] as [Duration])
    func formatParsesBack(duration: Duration) throws {
        #expect(try GoDuration.parse(GoDuration.format(duration)) == duration)
    }

    @Test func subMillisecondFractionsLikeGo() {
        // Go prints durations under a second with a fraction of the largest unit that fits.
        #expect(GoDuration.format(.microseconds(1500)) == "1.5ms")
        #expect(GoDuration.format(.nanoseconds(1500)) == "1.5µs")
    }
}

import FlexyVismaCore
import Foundation
import Testing

@Suite struct FixedPointTests {
    @Test(arguments: [
        ("45.00", 4500), ("45", 4500), ("-12.5", -1250), ("+0.01", 1), ("0", 0), ("1234567.89", 123_456_789),
    ])
    func moneyParsesExactly(text: String, ore: Int64) {
        #expect(FixedPoint(parsing: text, scale: 2) == .money(ore: ore))
    }

    @Test(arguments: ["", "-", ".5", "5.", "1.234", "1e3", "12,50", "1 000", "--1", "0x10", "١٢"])
    func moneyRejectsAnythingElse(text: String) {
        #expect(FixedPoint(parsing: text, scale: 2) == nil)
    }

    @Test func danishExcelAmountsUseDecimalCommaAndDotThousands() {
        #expect(FixedPoint(parsing: "1.189,50", scale: 2, decimalComma: true) == .money(ore: 118_950))
        #expect(FixedPoint(parsing: "69,00", scale: 2, decimalComma: true) == .money(ore: 6900))
        #expect(FixedPoint(parsing: "1..189,50", scale: 2, decimalComma: true) == nil)
        #expect(FixedPoint(parsing: "1.189.", scale: 2, decimalComma: true) == nil)
        #expect(FixedPoint(parsing: "12.50", scale: 2, decimalComma: true) == .money(ore: 125_000))
    }

    @Test func overflowIsRejectedNotWrapped() {
        #expect(FixedPoint(parsing: "99999999999999999999", scale: 2) == nil)
    }

    @Test func formattingIsCanonicalAndTrimmable() {
        #expect(FixedPoint.money(ore: -1250).text == "-12.50")
        #expect(FixedPoint.money(ore: 5).text == "0.05")
        #expect(FixedPoint.quantity(tenThousandths: 180).trimmedText() == "0.018")
        #expect(FixedPoint.quantity(tenThousandths: 50_000).trimmedText() == "5")
        #expect(FixedPoint.quantity(tenThousandths: -10_000).trimmedText() == "-1")
    }
}

@Suite struct BusinessDayTests {
    @Test(arguments: ["2026-11-28", "2024-02-29", "2000-02-29"])
    func realDaysParse(text: String) { #expect(BusinessDay(text)?.text == text) }

    @Test(arguments: [
        "2026-02-29", "2100-02-29", "2026-11-31", "2026-13-01", "2026-1-05", "26-11-28", "2026-11-28Z", "",
    ])
    func impossibleDaysAreRejected(text: String) { #expect(BusinessDay(text) == nil) }

    @Test func arithmeticCrossesMonthsAndYears() throws {
        let day = try #require(BusinessDay("2026-12-31"))
        #expect(day.adding(days: 1).text == "2027-01-01")
        #expect(try #require(BusinessDay("2024-03-01")).adding(days: -1).text == "2024-02-29")
        #expect(day.adding(days: -365).text == "2025-12-31")
        let range = BusinessDay.range(
            from: try #require(BusinessDay("2026-11-27")), through: try #require(BusinessDay("2026-12-02")))
        #expect(
            range.map(\.text) == ["2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"])
    }

    @Test func yesterdayIsCountedInTheVenueTimeZone() throws {
        // 23:30 UTC on 28 Nov is already 29 Nov in Copenhagen, so yesterday there is the 28th.
        let instant = try #require(ISO8601DateFormatter().date(from: "2026-11-28T23:30:00Z"))
        let copenhagen = try #require(TimeZone(identifier: "Europe/Copenhagen"))
        #expect(BusinessDay.yesterday(at: instant, in: copenhagen).text == "2026-11-28")
        #expect(BusinessDay.yesterday(at: instant, in: try #require(TimeZone(identifier: "UTC"))).text == "2026-11-27")
    }
}

@Suite struct BatchIDTests {
    @Test func newIdsHaveTheContractShapeAndSortByArrival() throws {
        let early = BatchID.make(at: Date(timeIntervalSince1970: 1_764_300_000))
        let late = BatchID.make(at: Date(timeIntervalSince1970: 1_764_300_001))
        #expect(early.rawValue.hasPrefix("20251128T"))
        #expect(BatchID(early.rawValue) == early)
        #expect(early < late)
    }

    @Test(arguments: ["../../etc", "20261128T120000Z-ABCDEF", "20261128T120000Z-abcde", "20261128 120000Z-abcdef", ""])
    func anythingElseIsNotABatchId(text: String) { #expect(BatchID(text) == nil) }
}

import FlexyVismaCore
import Testing

/// Decimal texts past what Int64 holds at their scale are refused as out of range, never trapped on.
@Suite struct NumberBoundsTests {
    @Test(arguments: [
        ("9223372.90", 12), ("9223372036854775807", 0), ("-9223372036854775808", 0), ("9999999999999999.99", 2),
        ("1000000000000000", 0), ("123456789012.0000", 4), ("99999999999999999999999999999999999999", 2),
    ])
    func valuesBeyondFifteenDigitsAreOutOfRange(text: String, scale: Int) {
        #expect(FixedPoint.read(text, scale: scale) == .outOfRange)
        #expect(FixedPoint(parsing: text, scale: scale) == nil)
    }

    @Test func theLargestValuesInRangeAreExact() {
        #expect(FixedPoint.read("9999999999999.99", scale: 2) == .value(.money(ore: 999_999_999_999_999)))
        #expect(FixedPoint.read("-9999999999999.99", scale: 2) == .value(.money(ore: -999_999_999_999_999)))
        #expect(FixedPoint.read("9223372.90", scale: 2) == .value(.money(ore: 922_337_290)))
        #expect(FixedPoint.read("00000000000000000000001.50", scale: 2) == .value(.money(ore: 150)))
        #expect(FixedPoint.read("1.2345", scale: 2) == .tooManyDecimals)
        #expect(FixedPoint.read("1e5", scale: 2) == .notANumber)
    }

    @Test func checkedArithmeticNeverTraps() {
        #expect(FixedPoint.checkedSum(FixedPoint.maximumUnits, 1) == nil)
        #expect(FixedPoint.checkedSum(Int64.max, Int64.max) == nil)
        #expect(FixedPoint.checkedProduct(Int64.max, 2) == nil)
        #expect(FixedPoint.checkedProduct(1_000_000, 1_000_000) == 1_000_000_000_000)
        #expect(FixedPoint.units(of: .nan, scale: 2) == nil)
        #expect(FixedPoint.units(of: .infinity, scale: 2) == nil)
        #expect(FixedPoint.units(of: 1e300, scale: 2) == nil)
        #expect(FixedPoint.units(of: 12.345, scale: 2) == 1235)
    }
}

/// Exact decimal amounts as integers of a fixed scale: money in øre, quantities in ten-thousandths.
///
/// Floating point never touches an amount: parsing, formatting and arithmetic are integer based,
/// so totals are exact to the øre however many lines are added.
public struct FixedPoint: Hashable, Sendable {
    public let units: Int64
    public let scale: Int

    public init(units: Int64, scale: Int) {
        self.units = units
        self.scale = scale
    }

    public static func money(ore: Int64) -> FixedPoint { FixedPoint(units: ore, scale: 2) }
    public static func quantity(tenThousandths: Int64) -> FixedPoint {
        FixedPoint(units: tenThousandths, scale: 4)
    }

    /// The largest magnitude, in units of the scale, that a parsed value or a checked result may have: 15 digits.
    ///
    /// Every such value converts to `Double` and back exactly (Visma's JSON carries numbers as doubles), a product of
    /// two fits in 128 bits, and money stays below ten thousand billion kroner.
    public static let maximumUnits: Int64 = 999_999_999_999_999

    /// What a text makes at a scale: a value, or why not.
    public enum Reading: Hashable, Sendable {
        case value(FixedPoint)
        case notANumber
        case tooManyDecimals
        /// A number, but more than `maximumUnits` at the scale: it cannot be held exactly.
        case outOfRange
    }

    /// Parses `-12.5`, `0.018`, `45` at most `scale` decimals; with `decimalComma`, `1.234,50` too.
    /// Returns nil for anything else (exponents, signs in the middle, too many decimals, beyond `maximumUnits`).
    @inlinable
    public init?<S: StringProtocol>(parsing text: S, scale: Int, decimalComma: Bool = false) {
        guard case .value(let value) = FixedPoint.read(text, scale: scale, decimalComma: decimalComma) else {
            return nil
        }
        self = value
    }

    /// Reads a decimal text without ever trapping; see `Reading`.
    /// Inlinable so that it is specialised where it is called: validation parses millions of amounts.
    @inlinable
    public static func read<S: StringProtocol>(_ text: S, scale: Int, decimalComma: Bool = false) -> Reading {
        // Bytes, not Characters: a million amounts should not each pay for Unicode segmentation.
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        let decimalMark = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        // Digits beyond 18 are only counted: the value is then out of range whatever it is.
        var integerPart: Int64 = 0
        var integerDigits = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenMark = false
        var seenDigit = false
        var lastWasGroupSeparator = false
        for byte in bytes {
            if byte == decimalMark {
                if seenMark || !seenDigit { return .notANumber }
                seenMark = true
                continue
            }
            if decimalComma, byte == UInt8(ascii: "."), !seenMark {
                // Thousands separator in Danish Excel's dialect: only between digits.
                if !seenDigit || lastWasGroupSeparator { return .notANumber }
                lastWasGroupSeparator = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return .notANumber }
            let digit = Int64(byte - UInt8(ascii: "0"))
            lastWasGroupSeparator = false
            seenDigit = true
            if seenMark {
                fractionDigits += 1
                if fractionDigits <= 18 { fraction = fraction * 10 + digit }
            } else if integerPart != 0 || digit != 0 {
                integerDigits += 1
                if integerDigits <= 18 { integerPart = integerPart * 10 + digit }
            }
        }
        if !seenDigit || lastWasGroupSeparator || (seenMark && fractionDigits == 0) { return .notANumber }
        if fractionDigits > scale { return .tooManyDecimals }
        guard scale >= 0, scale <= 15, integerDigits + scale <= 15 else { return .outOfRange }
        for _ in fractionDigits..<scale { fraction *= 10 }
        // Both parts are below 10^15 here: no step can overflow.
        let magnitude = integerPart * FixedPoint.powerOfTen(scale) + fraction
        guard magnitude <= maximumUnits else { return .outOfRange }
        return .value(FixedPoint(units: negative ? -magnitude : magnitude, scale: scale))
    }

    /// `units` when its magnitude is within `maximumUnits`, else nil.
    @inlinable
    public static func bounded(_ units: Int64) -> Int64? {
        units.magnitude <= UInt64(maximumUnits) ? units : nil
    }

    /// `a + b` when both and the sum are within `maximumUnits`, else nil; never traps.
    @inlinable
    public static func checkedSum(_ a: Int64, _ b: Int64) -> Int64? {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : bounded(sum)
    }

    /// `a × b` without trapping, nil when beyond `maximumUnits`.
    @inlinable
    public static func checkedProduct(_ a: Int64, _ b: Int64) -> Int64? {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : bounded(product)
    }

    /// A number from Visma's JSON (a double) in units of `scale`, rounded; nil when not finite or beyond `maximumUnits`.
    public static func units(of value: Double, scale: Int) -> Int64? {
        let scaled = (value * Double(powerOfTen(scale))).rounded()
        guard scaled.isFinite, scaled.magnitude <= Double(maximumUnits) else { return nil }
        return Int64(scaled)
    }

    /// Canonical text with exactly `scale` decimals, dot as the mark: `-12.50`, `0.0180`.
    public var text: String { formatted(decimals: scale) }

    /// Text with trailing zero decimals removed, keeping at least `minimumDecimals`: `0.018`, `5`.
    public func trimmedText(minimumDecimals: Int = 0) -> String {
        var decimals = scale
        var value = units.magnitude
        while decimals > minimumDecimals, value % 10 == 0 {
            value /= 10
            decimals -= 1
        }
        return FixedPoint(units: units < 0 ? -Int64(value) : Int64(value), scale: decimals)
            .formatted(decimals: decimals)
    }

    private func formatted(decimals: Int) -> String {
        let factor = UInt64(FixedPoint.powerOfTen(decimals))
        let magnitude = units.magnitude
        let whole = magnitude / factor
        let sign = units < 0 ? "-" : ""
        guard decimals > 0 else { return "\(sign)\(whole)" }
        var fraction = String(magnitude % factor)
        while fraction.count < decimals { fraction = "0" + fraction }
        return "\(sign)\(whole).\(fraction)"
    }

    @inlinable
    public static func powerOfTen(_ exponent: Int) -> Int64 {
        var result: Int64 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}

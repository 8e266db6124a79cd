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

    /// Parses `-12.5`, `0.018`, `45` at most `scale` decimals; with `decimalComma`, `1.234,50` too.
    /// Returns nil for anything else (exponents, signs in the middle, too many decimals).
    /// Inlinable so that it is specialised where it is called: validation parses millions of amounts.
    @inlinable
    public init?<S: StringProtocol>(parsing text: S, scale: Int, decimalComma: Bool = false) {
        // Bytes, not Characters: a million amounts should not each pay for Unicode segmentation.
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        let decimalMark = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        var integerPart: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenMark = false
        var seenDigit = false
        var lastWasGroupSeparator = false
        for byte in bytes {
            if byte == decimalMark {
                if seenMark || !seenDigit { return nil }
                seenMark = true
                continue
            }
            if decimalComma, byte == UInt8(ascii: "."), !seenMark {
                // Thousands separator in Danish Excel's dialect: only between digits.
                if !seenDigit || lastWasGroupSeparator { return nil }
                lastWasGroupSeparator = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            lastWasGroupSeparator = false
            seenDigit = true
            if seenMark {
                fractionDigits += 1
                if fractionDigits > scale { return nil }
                fraction = fraction * 10 + digit
            } else {
                let (shifted, overflow1) = integerPart.multipliedReportingOverflow(by: 10)
                let (added, overflow2) = shifted.addingReportingOverflow(digit)
                if overflow1 || overflow2 { return nil }
                integerPart = added
            }
        }
        if !seenDigit || lastWasGroupSeparator || (seenMark && fractionDigits == 0) { return nil }
        let factor = FixedPoint.powerOfTen(scale)
        for _ in fractionDigits..<scale { fraction *= 10 }
        let (scaled, overflow) = integerPart.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        let magnitude = scaled + fraction
        self.init(units: negative ? -magnitude : magnitude, scale: scale)
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

import FuzzSupport

/// FixedPoint parsing and formatting and the bounds on numbers from Visma's answers and headers.
///
/// The first byte picks the scale (0–15 and one beyond) and the decimal mark; the rest is the text. Invariants: nothing
/// traps; a value read is within `maximumUnits` and reads back to itself from `text` and from `trimmedText`; checked
/// arithmetic answers nil rather than beyond the bound; header seconds are finite and at most an hour.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNumber(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let (variant, payload) = FuzzInput(data, size).split(variants: 34) else { return 0 }
    let scale = variant % 17
    let decimalComma = variant >= 17
    let text = String(decoding: payload, as: UTF8.self)
    if case .value(let value) = FixedPoint.read(text, scale: scale, decimalComma: decimalComma) {
        check(value, text: text)
    }
    let seconds = AnswerNumbers.seconds(text)
    require(
        seconds.map { $0.isFinite && $0 >= 0 && $0 <= AnswerNumbers.longestWaitSeconds } ?? true,
        "AnswerNumbers.seconds(\(text)) = \(String(describing: seconds))")
    let double = Double(text.trimmingCharacters(in: .whitespaces))
    if let count = AnswerNumbers.count(double) {
        require(count >= 0 && count <= Int(Int32.max), "AnswerNumbers.count(\(text))")
    }
    if let double, let units = FixedPoint.units(of: double, scale: min(scale, 15)) {
        require(units.magnitude <= UInt64(FixedPoint.maximumUnits), "FixedPoint.units(of: \(double)) = \(units)")
    }
    return 0
}

private func check(_ value: FixedPoint, text: String) {
    require(
        value.units.magnitude <= UInt64(FixedPoint.maximumUnits), "\(text) read as \(value.units), beyond maximumUnits")
    require(
        FixedPoint.read(value.text, scale: value.scale) == .value(value), "\(text) → \(value.text) does not read back")
    let trimmed = value.trimmedText()
    require(
        FixedPoint(parsing: trimmed, scale: value.scale)?.units == value.units,
        "\(text) → \(trimmed) does not read back")
    for other in [value.units, FixedPoint.maximumUnits, -1, 10_000] {
        if let product = FixedPoint.checkedProduct(value.units, other) {
            require(product.magnitude <= UInt64(FixedPoint.maximumUnits), "checkedProduct beyond the bound")
        }
        if let sum = FixedPoint.checkedSum(value.units, other) {
            require(sum.magnitude <= UInt64(FixedPoint.maximumUnits), "checkedSum beyond the bound")
        }
    }
}

/// An invariant that failed is a finding: libFuzzer keeps the input that broke it.
private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: \(message())") }
}

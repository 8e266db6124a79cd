/// Kit component quantities as Visma stores them: rounded half away from zero to the company's
/// quantity decimal places (`pipeline.quantityDecimalPlaces`), so an unchanged recipe compares equal.
enum KitQuantity {
    /// A quantity in ten-thousandths, rounded to `places` decimals (still in ten-thousandths).
    static func stored(_ quantityE4: Int64, places: Int) -> Int64 {
        guard places < 4 else { return quantityE4 }
        var step: Int64 = 1
        for _ in 0..<(4 - max(0, places)) { step *= 10 }
        let magnitude = (quantityE4.magnitude + UInt64(step / 2)) / UInt64(step) * UInt64(step)
        return quantityE4 < 0 ? -Int64(magnitude) : Int64(magnitude)
    }

    /// A reference snapshot kit's components (`item:quantity×10⁴`) with their quantities rounded the same way.
    static func storedSignature(_ components: [String], places: Int) -> [String] {
        components.map { component in
            guard let colon = component.lastIndex(of: ":"),
                let quantity = Int64(component[component.index(after: colon)...])
            else {
                return component
            }
            return "\(component[..<colon]):\(stored(quantity, places: places))"
        }
    }
}

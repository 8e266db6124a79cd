import FlexyVismaCore
import Foundation

extension DropTemplate {
    /// The XML file: the prolog, the root element with its namespace (and a receipts file's day and
    /// department), and with `example` one element. XML numbers always have a decimal point.
    func xml(example: Bool) -> String {
        func element(_ name: String, _ attributes: [(String, String)], children: [String] = []) -> String {
            let text = attributes.map { " \($0.0)=\"\(XMLMarkupWriter.escape($0.1))\"" }.joined()
            return children.isEmpty
                ? "<\(name)\(text)/>"
                : "<\(name)\(text)>\n" + children.map { "    " + $0 }.joined(separator: "\n") + "\n  </\(name)>"
        }
        let namespace = type.xmlNamespace ?? ""
        let rootName: String
        var rootAttributes = [("xmlns", namespace)]
        var body: String?
        switch type {
        case .calculations:
            rootName = "calculations"
            body = element(
                "calculation", [("item", Self.exampleProduct), ("revision", "1")],
                children: [
                    element("component", [("item", Self.exampleRawMaterial), ("quantity", "0.25"), ("unit", "KG")])
                ])
        case .purchaseOrders:
            rootName = "purchaseOrders"
            body = element(
                "purchaseOrder",
                [
                    ("number", "EX-PO-1"), ("supplier", Self.exampleSupplier), ("date", day.text),
                    ("department", department),
                ],
                children: [
                    element(
                        "line",
                        [("item", Self.exampleRawMaterial), ("quantity", "10"), ("unit", "KG"), ("unitCost", "50.00")])
                ])
        case .receipts:
            rootName = "receipts"
            rootAttributes += [("businessDay", day.text), ("department", department)]
            body = element(
                "receipt", [("number", "1"), ("register", "1"), ("time", noonOfDay())],
                children: [
                    element(
                        "line",
                        [
                            ("item", Self.exampleProduct), ("itemGroup", itemGroup), ("quantity", "2"),
                            ("unitPrice", "25.00"),
                            ("amount", "50.00"), ("vatCode", vatCode),
                        ]),
                    element("tender", [("type", paymentType), ("amount", "50.00")]),
                ])
        case .items, .customers, .payments:
            return ""
        }
        let open = "<\(rootName)" + rootAttributes.map { " \($0.0)=\"\(XMLMarkupWriter.escape($0.1))\"" }.joined() + ">"
        let content = example ? body.map { "  " + $0 + "\n" } ?? "" : ""
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\(open)\n\(content)</\(rootName)>\n"
    }

    /// 12:00 on the example's day in the venue's time zone, with its offset.
    func noonOfDay() -> String {
        let zone =
            TimeZone(identifier: configuration.venue.timeZone.identifier) ?? TimeZone(secondsFromGMT: 0) ?? .current
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = day.text.split(separator: "-").compactMap { Int($0) }
        let noon =
            parts.count == 3
            ? calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: 12)) : nil
        let offset = noon.map { zone.secondsFromGMT(for: $0) } ?? 0
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return "\(day.text)T12:00:00" + String(format: "%@%02d:%02d", sign, minutes / 60, minutes % 60)
    }
}

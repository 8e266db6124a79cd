import FlexyVismaCore
import Foundation

/// A drop file to fill in by hand (`flexyvisma template`): the header, and with `example` one valid record.
///
/// CSV comes in the Danish Excel dialect by default (`;`, decimal comma, a UTF-8 BOM so Excel reads
/// æøå), as FlexyBox's own "Skriv skabelon" writes it; `standard` is comma and decimal point without
/// a BOM. The example takes what the pipeline checks against from the configuration (item group,
/// VAT code, payment type, department, customer class and required customer fields); the numbers it
/// invents refer to each other: item EX-1001 (a product with a calculation) and raw material EX-2001,
/// customer EX-1001, supplier "Eksempel Leverandør A/S" — Visma must hold those (or the same drop) for
/// the example to validate, as any real record's references must.
public struct DropTemplate: Sendable {
    public enum Dialect: String, Sendable, CaseIterable {
        case danishExcel = "danish-excel"
        case standard
    }

    public let type: DropFileType
    public let configuration: PipelineConfiguration
    public let dialect: Dialect
    public let byteOrderMark: Bool
    /// The business day the example is dated (default: yesterday in the venue's time zone).
    public let day: BusinessDay

    public static let exampleProduct = "EX-1001"
    public static let exampleRawMaterial = "EX-2001"
    public static let exampleCustomer = "EX-1001"
    public static let exampleSupplier = "Eksempel Leverandør A/S"

    public init(
        type: DropFileType, configuration: PipelineConfiguration, dialect: Dialect = .danishExcel,
        byteOrderMark: Bool? = nil, day: BusinessDay? = nil
    ) {
        self.type = type
        self.configuration = configuration
        self.dialect = dialect
        self.byteOrderMark = byteOrderMark ?? (dialect == .danishExcel)
        let zone = TimeZone(identifier: configuration.venue.timeZone.identifier) ?? .current
        self.day = day ?? BusinessDay.yesterday(in: zone)
    }

    /// The file's bytes.
    public func render(example: Bool, schemas: SchemaDirectory) throws -> Data {
        switch type.format {
        case .csv:
            let schema = try ColumnSchema.load(type, from: schemas)
            var rows = [schema.columnNames]
            if example {
                let values = csvExample()
                rows.append(schema.columnNames.map { values[$0] ?? "" })
            }
            let text = rows.map { $0.map(csvField).joined(separator: separator) }.joined(separator: "\r\n") + "\r\n"
            return Data((byteOrderMark ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8))
        case .xml:
            return Data(xml(example: example).utf8)
        }
    }

    var separator: String { dialect == .danishExcel ? ";" : "," }

    /// An amount in the dialect: `1234,50` or `1234.50`.
    func amount(_ text: String) -> String {
        dialect == .danishExcel ? text.replacingOccurrences(of: ".", with: ",") : text
    }

    func csvField(_ field: String) -> String {
        let quote =
            field.contains(separator) || field.contains("\"") || field.contains("\n") || field.contains("\r")
            || field.first == " " || field.last == " "
        return quote ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }

    // The configuration's names, chosen the same way every time (sorted).
    var itemGroup: String { configuration.itemGroups.keys.sorted().first ?? "Kaffe" }
    var vatCode: String {
        configuration.vatCodes.sorted { ($0.value.ratePercent, $1.key) > ($1.value.ratePercent, $0.key) }.first?.key
            ?? "25"
    }
    var paymentType: String { configuration.paymentTypes.keys.sorted().first ?? "Kontant" }
    var department: String {
        configuration.departments.filter(\.value.enabled).keys.sorted().first ?? configuration.departments.keys.sorted()
            .first ?? "Café"
    }

    func csvExample() -> [String: String] {
        switch type {
        case .items:
            return [
                "item_number": Self.exampleProduct, "name": "Eksempelvare", "kind": "product", "item_group": itemGroup,
                "unit": "STK",
                "sales_price": amount("25.00"), "cost_price": amount("10.00"), "vat_code": vatCode, "active": "true",
            ]
        case .customers:
            return [
                "customer_number": Self.exampleCustomer, "name": "Eksempel Kunde ApS", "address_line1": "Havnegade 1",
                "postal_code": "5000",
                "city": "Odense C", "country": "DK", "email": "bogholderi@example.dk", "phone": "+45 12 34 56 78",
                "customer_class": configuration.customers.defaultCustomerClass,
            ]
        case .payments:
            return [
                "payment_id": "EX-P-1", "date": day.text, "customer_number": Self.exampleCustomer,
                "payment_type": paymentType,
                "amount": amount("100.00"), "currency": "DKK", "reference": "Eksempel",
            ]
        case .calculations, .purchaseOrders, .receipts:
            return [:]
        }
    }
}

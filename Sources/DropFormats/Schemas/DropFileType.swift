/// The file types a batch may carry (docs/ARCHITECTURE.md, "Drop files"), with the schema each is checked against.
public enum DropFileType: String, Sendable, CaseIterable, Codable {
    case items
    case calculations
    case customers
    case payments
    case purchaseOrders = "purchase_orders"
    case receipts

    public enum Format: Sendable { case csv, xml }

    public var format: Format {
        switch self {
        case .items, .customers, .payments: .csv
        case .calculations, .purchaseOrders, .receipts: .xml
        }
    }

    public var fileExtension: String { format == .csv ? "csv" : "xml" }

    /// `Schemas/<type>.columns.json` for CSV, `Schemas/<type>.xsd` for XML.
    public var schemaFileName: String {
        format == .csv ? "\(rawValue).columns.json" : "\(rawValue).xsd"
    }

    /// The namespace an XML file of this type must declare.
    public var xmlNamespace: String? {
        switch self {
        case .calculations: "urn:flexyvisma:calculations:1"
        case .purchaseOrders: "urn:flexyvisma:purchase-orders:1"
        case .receipts: "urn:flexyvisma:receipts:1"
        case .items, .customers, .payments: nil
        }
    }

    /// The type of a drop file name `<type>[-anything].csv|xml`, or nil for a name the pipeline does not take.
    public init?(fileName: String) {
        for type in DropFileType.allCases {
            let suffix = "." + type.fileExtension
            guard fileName.hasSuffix(suffix) else { continue }
            let stem = fileName.dropLast(suffix.count)
            if stem == type.rawValue || stem.hasPrefix(type.rawValue + "-") {
                self = type
                return
            }
        }
        return nil
    }
}

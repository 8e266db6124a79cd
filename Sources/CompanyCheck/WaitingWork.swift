import DropFormats
import FlexyVismaCore
import Foundation
import XMLSupport

/// What the batches waiting in a root (dropped in `inbox/`, or in progress in `batches/`) will ask of Visma.
public struct WaitingWork: Sendable, Equatable {
    /// Business days (`YYYY-MM-DD`) of receipts, posted as journals in the general ledger.
    public var receiptDays: Set<String> = []
    /// Dates of customer payments, posted in the customer ledger.
    public var paymentDays: Set<String> = []
    /// Supplier names of purchase orders, as FlexyBox knows them.
    public var supplierNames: Set<String> = []
    /// Units named by items, calculations and purchase order lines.
    public var units: Set<String> = []
    /// The batches read, by folder name (`inbox/<file>` for a single dropped file).
    public var batches: [String] = []
    /// Drop files that could not be read.
    public var unreadable: [String] = []

    public init() {}

    /// Reads every batch folder in `inbox/` and `batches/`, and the single drop files in `inbox/`
    /// (each becomes a batch of its own); hidden names (exports under way) are left out.
    public static func read(root: PipelineRoot) throws -> WaitingWork {
        var work = WaitingWork()
        for parent in [root.inbox, root.batches] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                var isFolder: ObjCBool = false
                let url = parent.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { continue }
                if isFolder.boolValue, BatchID(name) != nil {
                    for file in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() {
                        try work.add(url.appendingPathComponent(file))
                    }
                    work.batches.append(name)
                } else if !isFolder.boolValue, parent == root.inbox, DropFileType(fileName: name) != nil {
                    try work.add(url)
                    work.batches.append("inbox/\(name)")
                }
            }
        }
        return work
    }

    /// Takes what one drop file asks of Visma; a file of no drop type is ignored, one that cannot be read is listed
    /// in `unreadable` (validation will say what is wrong with it).
    mutating func add(_ url: URL) throws {
        guard let type = DropFileType(fileName: url.lastPathComponent) else { return }
        do {
            switch type {
            case .receipts:
                try readXML(url) { element in
                    if element.name == "receipts", let day = element["businessDay"] { receiptDays.insert(day) }
                }
            case .purchaseOrders:
                try readXML(url) { element in
                    if element.name == "purchaseOrder", let supplier = element["supplier"] {
                        supplierNames.insert(supplier)
                    }
                    if element.name == "line", let unit = element["unit"] { units.insert(unit) }
                }
            case .calculations:
                try readXML(url) { element in
                    if element.name == "component", let unit = element["unit"] { units.insert(unit) }
                }
            case .payments:
                try readCSV(url) { row in
                    if let date = row["date"] { paymentDays.insert(date) }
                }
            case .items:
                try readCSV(url) { row in
                    // An item without a unit is sent with STK (the transform's default).
                    units.insert(row["unit"] ?? "STK")
                }
            case .customers: break
            }
        } catch {
            unreadable.append(url.lastPathComponent)
        }
    }

    private func readXML(_ url: URL, _ body: (XMLElement) -> Void) throws {
        let reader = try XMLStreamReader(path: url.path)
        while let event = reader.next() {
            if case .start(let element) = event { body(element) }
        }
    }

    private func readCSV(_ url: URL, _ body: ([String: String]) -> Void) throws {
        let reader = try CSVReader(url: url)
        guard let header = try reader.next()?.fields else { return }
        while let row = try reader.next() {
            let values = Dictionary(zip(header, row.fields), uniquingKeysWith: { first, _ in first }).filter {
                !$0.value.isEmpty
            }
            body(values)
        }
    }
}

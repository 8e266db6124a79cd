import DropFormats
import FlexyVismaCore
import Foundation
import GRDB

/// Writes each drop file type from the source, one streaming query per file.
///
/// Column order comes from `Schemas/<type>.columns.json`, so the export always writes what the
/// validator expects. Each writer returns the record count.
struct DropFileWriters {
    let schemas: SchemaDirectory
    /// The source's department codes, in the order receipts files are written.
    let departmentCodes: [String]
    let departmentNames: [String: String]

    /// The writers for one read of the source, with its departments as FlexyBox has them.
    init(reading db: Database, schemas: SchemaDirectory) throws {
        self.schemas = schemas
        var codes: [String] = []
        var names: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT code, name FROM departments ORDER BY code") {
            let code: String = row["code"] ?? ""
            codes.append(code)
            names[code] = row["name"] ?? ""
        }
        departmentCodes = codes
        departmentNames = names
    }

    /// One `receipts-<department>-<day>.xml` per department with receipts on each of `days`, days in order;
    /// only the departments `including` takes (by code and name).
    func writeReceipts(
        _ db: Database, days: [BusinessDay], folder: URL,
        including: (_ code: String, _ name: String) -> Bool = { _, _ in true }
    ) throws -> [(fileName: String, totals: ReceiptDayTotals)] {
        var written: [(fileName: String, totals: ReceiptDayTotals)] = []
        for day in days {
            for code in departmentCodes where including(code, departmentNames[code] ?? code) {
                if let file = try writeReceipts(db, day: day, departmentCode: code, folder: folder) {
                    written.append(file)
                }
            }
        }
        return written
    }

    private static let utcTimestampSQL = "strftime('%Y-%m-%dT%H:%M:%fZ', modified_at)"

    /// `items.csv`: the items `selection` picks.
    func writeItems(_ db: Database, _ selection: MasterDataSelection, to url: URL) throws -> MasterDataWritten {
        let schema = try ColumnSchema.load(.items, from: schemas)
        let writer = try CSVWriter(creating: url)
        try writer.writeHeader(schema.columnNames)
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT item_number, name, kind, item_group, unit, sales_price_ore, cost_price_ore, vat_code,
                       visma_item_class, active
                FROM items WHERE \(selection.sql(.items, key: "item_number")) ORDER BY item_number
                """, arguments: selection.arguments(.items))
        var keys: [String] = []
        while let row = try rows.next() {
            keys.append(row["item_number"] ?? "")
            let values: [String: String] = [
                "item_number": row["item_number"] ?? "",
                "name": row["name"] ?? "",
                "kind": row["kind"] ?? "",
                "item_group": row["item_group"] ?? "",
                "unit": row["unit"] ?? "",
                "sales_price": Self.money(row["sales_price_ore"]),
                "cost_price": Self.money(row["cost_price_ore"]),
                "vat_code": row["vat_code"] ?? "",
                "visma_item_class": row["visma_item_class"] ?? "",
                "active": (row["active"] as Int64? ?? 1) == 0 ? "false" : "true",
            ]
            try writer.writeRecord(schema.columnNames.map { values[$0] ?? "" })
        }
        try writer.finish()
        return MasterDataWritten(records: writer.records, keys: keys)
    }

    /// `customers.csv`: the customers `selection` picks.
    func writeCustomers(_ db: Database, _ selection: MasterDataSelection, to url: URL) throws -> MasterDataWritten {
        let schema = try ColumnSchema.load(.customers, from: schemas)
        let writer = try CSVWriter(creating: url)
        try writer.writeHeader(schema.columnNames)
        let rows = try Row.fetchCursor(
            db,
            sql:
                "SELECT * FROM customers WHERE \(selection.sql(.customers, key: "customer_number")) ORDER BY customer_number",
            arguments: selection.arguments(.customers))
        var keys: [String] = []
        while let row = try rows.next() {
            keys.append(row["customer_number"] ?? "")
            try writer.writeRecord(schema.columnNames.map { (row[$0] as String?) ?? "" })
        }
        try writer.finish()
        return MasterDataWritten(records: writer.records, keys: keys)
    }

    /// `payments.csv`: customer payments of the given days.
    func writePayments(_ db: Database, days: [BusinessDay], to url: URL) throws -> (records: Int, totals: PaymentTotals)
    {
        let schema = try ColumnSchema.load(.payments, from: schemas)
        let writer = try CSVWriter(creating: url)
        try writer.writeHeader(schema.columnNames)
        var deposits: Int64 = 0
        var withdrawals: Int64 = 0
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT payment_id, business_day, customer_number, payment_type, amount_ore, currency, department,
                       reference
                FROM customer_payments WHERE business_day IN \(Self.placeholders(days.count))
                ORDER BY business_day, payment_id
                """, arguments: StatementArguments(days.map(\.text)))
        while let row = try rows.next() {
            let amount = try SourceAmount.checked(
                row["amount_ore"] ?? 0, "customer_payments.amount_ore of payment \(row["payment_id"] as String? ?? "?")"
            )
            if amount >= 0 {
                deposits = try SourceAmount.sum(deposits, amount, "the day's deposits")
            } else {
                withdrawals = try SourceAmount.sum(withdrawals, amount, "the day's withdrawals")
            }
            let department: String? = row["department"]
            let values: [String: String] = [
                "payment_id": row["payment_id"] ?? "",
                "date": row["business_day"] ?? "",
                "customer_number": row["customer_number"] ?? "",
                "payment_type": row["payment_type"] ?? "",
                "amount": FixedPoint.money(ore: amount).text,
                "currency": row["currency"] ?? "",
                "department": department.map { departmentNames[$0] ?? $0 } ?? "",
                "reference": row["reference"] ?? "",
            ]
            try writer.writeRecord(schema.columnNames.map { values[$0] ?? "" })
        }
        try writer.finish()
        let totals = PaymentTotals(
            count: writer.records, deposits: FixedPoint.money(ore: deposits).text,
            withdrawals: FixedPoint.money(ore: withdrawals).text)
        return (writer.records, totals)
    }

    /// `calculations.xml`: the newest revision of every calculation `selection` picks.
    func writeCalculations(_ db: Database, _ selection: MasterDataSelection, to url: URL) throws -> MasterDataWritten {
        let writer = try XMLMarkupWriter(creating: url)
        try writer.open("calculations", [("xmlns", DropFileType.calculations.xmlNamespace)])
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT c.item_number, c.revision, k.component_item, k.quantity_e4, k.unit
                FROM calculations c
                JOIN calculation_components k ON k.item_number = c.item_number AND k.revision = c.revision
                WHERE c.revision = (SELECT max(revision) FROM calculations WHERE item_number = c.item_number)
                  AND \(selection.sql(.calculations, key: "c.item_number", modified: "c.modified_at"))
                ORDER BY c.item_number, k.line
                """, arguments: selection.arguments(.calculations))
        var current: String?
        var keys: [String] = []
        while let row = try rows.next() {
            let item: String = row["item_number"] ?? ""
            if item != current {
                if current != nil { try writer.close() }
                try writer.open("calculation", [("item", item), ("revision", String(row["revision"] as Int64? ?? 1))])
                current = item
                keys.append(item)
            }
            try writer.empty(
                "component",
                [
                    ("item", row["component_item"] ?? ""),
                    ("quantity", FixedPoint.quantity(tenThousandths: row["quantity_e4"] ?? 0).trimmedText()),
                    ("unit", row["unit"] ?? ""),
                ])
        }
        try writer.finish()
        return MasterDataWritten(records: keys.count, keys: keys)
    }

    /// `purchase_orders.xml`: purchase orders dated on the given days.
    func writePurchaseOrders(
        _ db: Database, days: [BusinessDay], to url: URL
    ) throws -> (
        records: Int, totals: PurchaseOrderTotals
    ) {
        let writer = try XMLMarkupWriter(creating: url)
        try writer.open("purchaseOrders", [("xmlns", DropFileType.purchaseOrders.xmlNamespace)])
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT o.number, o.supplier, o.order_date, o.department, l.item_number, l.quantity_e4, l.unit,
                       l.unit_cost_ore
                FROM purchase_orders o JOIN purchase_order_lines l ON l.po_number = o.number
                WHERE o.order_date IN \(Self.placeholders(days.count))
                ORDER BY o.order_date, o.number, l.line
                """, arguments: StatementArguments(days.map(\.text)))
        var current: String?
        var orders = 0
        var lines = 0
        var totalCost: Int64 = 0
        while let row = try rows.next() {
            let number: String = row["number"] ?? ""
            if number != current {
                if current != nil { try writer.close() }
                let department: String? = row["department"]
                try writer.open(
                    "purchaseOrder",
                    [
                        ("number", number), ("supplier", row["supplier"] ?? ""), ("date", row["order_date"] ?? ""),
                        ("department", department.map { departmentNames[$0] ?? $0 }),
                    ])
                current = number
                orders += 1
            }
            let what = "purchase order \(number) line of item \(row["item_number"] as String? ?? "?")"
            let quantity = try SourceAmount.checked(row["quantity_e4"] ?? 0, "quantity_e4 of \(what)")
            let unitCost = try SourceAmount.checked(row["unit_cost_ore"] ?? 0, "unit_cost_ore of \(what)")
            totalCost = try SourceAmount.sum(
                totalCost, try Self.extendedCost(quantityE4: quantity, unitCostOre: unitCost, what),
                "the orders' total cost")
            lines += 1
            try writer.empty(
                "line",
                [
                    ("item", row["item_number"] ?? ""),
                    ("quantity", FixedPoint.quantity(tenThousandths: quantity).trimmedText()),
                    ("unit", row["unit"] ?? ""),
                    ("unitCost", FixedPoint.money(ore: unitCost).text),
                ])
        }
        try writer.finish()
        return (
            orders, PurchaseOrderTotals(count: orders, lines: lines, totalCost: FixedPoint.money(ore: totalCost).text)
        )
    }

    /// One `receipts-<department>-<day>.xml` per department with receipts that day, with its control totals.
    func writeReceipts(
        _ db: Database, day: BusinessDay, departmentCode: String, folder: URL
    ) throws -> (fileName: String, totals: ReceiptDayTotals)? {
        let count =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM receipts WHERE business_day = ? AND department = ?",
                arguments: [day.text, departmentCode]) ?? 0
        guard count > 0 else { return nil }
        let departmentName = departmentNames[departmentCode] ?? departmentCode
        let fileName = "receipts-\(departmentCode)-\(day.text).xml"
        let writer = try XMLMarkupWriter(creating: folder.appendingPathComponent(fileName))
        try writer.open(
            "receipts",
            [("xmlns", DropFileType.receipts.xmlNamespace), ("businessDay", day.text), ("department", departmentName)])

        let receipts = try Row.fetchCursor(
            db,
            sql:
                "SELECT number, register, time FROM receipts WHERE business_day = ? AND department = ? ORDER BY number",
            arguments: [day.text, departmentCode])
        let lines = try Row.fetchCursor(
            db,
            sql: """
                SELECT l.receipt_number, l.item_number, l.item_group, l.quantity_e4, l.unit_price_ore,
                       l.discount_ore, l.amount_ore, l.vat_code
                FROM receipt_lines l JOIN receipts r ON r.number = l.receipt_number
                WHERE r.business_day = ? AND r.department = ? ORDER BY l.receipt_number, l.line
                """, arguments: [day.text, departmentCode])
        let tenders = try Row.fetchCursor(
            db,
            sql: """
                SELECT t.receipt_number, t.payment_type, t.amount_ore
                FROM receipt_tenders t JOIN receipts r ON r.number = t.receipt_number
                WHERE r.business_day = ? AND r.department = ? ORDER BY t.receipt_number, t.line
                """, arguments: [day.text, departmentCode])
        var lineRows = PeekingCursor(lines)
        var tenderRows = PeekingCursor(tenders)
        var totals = ReceiptTotalsAccumulator()

        while let receipt = try receipts.next() {
            let number: Int64 = receipt["number"] ?? 0
            totals.receipt(number)
            try writer.open(
                "receipt",
                [("number", String(number)), ("register", receipt["register"] ?? ""), ("time", receipt["time"] ?? "")])
            while let line = try lineRows.next(where: { ($0["receipt_number"] as Int64?) == number }) {
                let amount: Int64 = line["amount_ore"] ?? 0
                let discount: Int64 = line["discount_ore"] ?? 0
                let vatCode: String = line["vat_code"] ?? ""
                try totals.line(amount: amount, discount: discount, vatCode: vatCode, receipt: number)
                try writer.empty(
                    "line",
                    [
                        ("item", line["item_number"] ?? ""), ("itemGroup", line["item_group"] ?? ""),
                        ("quantity", FixedPoint.quantity(tenThousandths: line["quantity_e4"] ?? 0).trimmedText()),
                        ("unitPrice", FixedPoint.money(ore: line["unit_price_ore"] ?? 0).text),
                        ("discount", FixedPoint.money(ore: discount).text),
                        ("amount", FixedPoint.money(ore: amount).text), ("vatCode", vatCode),
                    ])
            }
            while let tender = try tenderRows.next(where: { ($0["receipt_number"] as Int64?) == number }) {
                let type: String = tender["payment_type"] ?? ""
                let amount: Int64 = tender["amount_ore"] ?? 0
                try totals.tender(type: type, amount: amount, receipt: number)
                try writer.empty("tender", [("type", type), ("amount", FixedPoint.money(ore: amount).text)])
            }
            try writer.close()
        }
        try writer.finish()
        return (fileName, totals.result(day: day, department: departmentName, file: fileName))
    }

    /// quantity × unit cost, rounded half away from zero to the øre.
    static func extendedCost(quantityE4: Int64, unitCostOre: Int64, _ what: String = "a line") throws -> Int64 {
        let (product, overflow) = quantityE4.multipliedReportingOverflow(by: unitCostOre)
        guard !overflow else { throw SourceAmount.outOfRange("quantity × unit cost of \(what)") }
        let (quotient, remainder) = product.quotientAndRemainder(dividingBy: 10_000)
        return try SourceAmount.checked(
            quotient + (remainder.magnitude >= 5_000 ? (product < 0 ? -1 : 1) : 0), "quantity × unit cost of \(what)")
    }

    static func money(_ ore: Int64?) -> String { ore.map { FixedPoint.money(ore: $0).text } ?? "" }

    static func placeholders(_ count: Int) -> String {
        "(" + Array(repeating: "?", count: max(count, 1)).joined(separator: ", ") + ")"
    }

    /// The newest modification among master data, as a UTC timestamp comparable by text.
    static func newestModification(_ db: Database) throws -> String? {
        try String.fetchOne(
            db,
            sql: """
                SELECT max(t) FROM (
                    SELECT max(\(utcTimestampSQL)) AS t FROM items
                    UNION ALL SELECT max(\(utcTimestampSQL)) FROM calculations
                    UNION ALL SELECT max(\(utcTimestampSQL)) FROM customers)
                """)
    }
}

/// Which master-data records an export carries: those changed after `since` (all when nil), and the
/// records of the to-do list by key, as they are now.
struct MasterDataSelection {
    var since: String?
    var alsoKeys: [String: Set<String>] = [:]

    func sql(_ type: DropFileType, key: String, modified: String = "modified_at") -> String {
        guard since != nil else { return "1" }
        let changed = "strftime('%Y-%m-%dT%H:%M:%fZ', \(modified)) > ?"
        return alsoKeys[type.rawValue, default: []].isEmpty
            ? changed : "(\(changed) OR \(key) IN (SELECT value FROM json_each(?)))"
    }

    func arguments(_ type: DropFileType) -> StatementArguments {
        guard let since else { return [] }
        let keys = alsoKeys[type.rawValue, default: []]
        return keys.isEmpty ? [since] : [since, MasterDataSelection.jsonArray(keys)]
    }

    /// Keys as one JSON array argument, read back by SQLite's `json_each` (no limit on their number).
    static func jsonArray(_ keys: some Collection<String>) -> String {
        let data = (try? JSONEncoder().encode(keys.sorted())) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// What a master-data writer wrote: how many records, and their keys.
struct MasterDataWritten {
    var records: Int
    var keys: [String]
}

/// A row cursor that can hand back rows while they belong to the current receipt.
struct PeekingCursor {
    private let cursor: RowCursor
    private var pending: Row?

    init(_ cursor: RowCursor) { self.cursor = cursor }

    mutating func next(where belongs: (Row) -> Bool) throws -> Row? {
        if pending == nil { pending = try cursor.next()?.copy() }
        guard let row = pending, belongs(row) else { return nil }
        pending = nil
        return row
    }
}

/// Amounts and quantities read from the FlexyBox source, and their sums, within what the pipeline
/// represents exactly (15 digits, `FixedPoint.maximumUnits`): beyond it the export refuses (exit 65)
/// and names the record, never traps.
enum SourceAmount {
    static func outOfRange(_ what: String) -> OperatorMessage {
        OperatorMessage(
            .dataRejected,
            "the FlexyBox source holds \(what) beyond ±\(FixedPoint.maximumUnits) (15 digits): nothing was exported; correct the record in FlexyBox"
        )
    }

    static func checked(_ value: Int64, _ what: String) throws -> Int64 {
        guard value.magnitude <= FixedPoint.maximumUnits.magnitude else { throw outOfRange(what) }
        return value
    }

    static func sum(_ a: Int64, _ b: Int64, _ what: String) throws -> Int64 {
        // Both are within 15 digits, so the sum cannot overflow Int64; only the bound is checked.
        try checked(a + b, what)
    }
}

/// Sums one receipts file while it is written.
struct ReceiptTotalsAccumulator {
    private var receipts = 0
    private var lines = 0
    private var first: Int64?
    private var last: Int64 = 0
    private var gross: Int64 = 0
    private var discounts: Int64 = 0
    private var grossByVatCode: [String: Int64] = [:]
    private var tenders: [String: Int64] = [:]

    mutating func receipt(_ number: Int64) {
        receipts += 1
        if first == nil { first = number }
        last = number
    }

    mutating func line(amount: Int64, discount: Int64, vatCode: String, receipt: Int64) throws {
        let amount = try SourceAmount.checked(amount, "receipt_lines.amount_ore of receipt \(receipt)")
        let discount = try SourceAmount.checked(discount, "receipt_lines.discount_ore of receipt \(receipt)")
        lines += 1
        gross = try SourceAmount.sum(gross, amount, "the day's gross sales")
        discounts = try SourceAmount.sum(discounts, discount, "the day's discounts")
        grossByVatCode[vatCode] = try SourceAmount.sum(
            grossByVatCode[vatCode, default: 0], amount, "the day's sales at VAT code \(vatCode)")
    }

    mutating func tender(type: String, amount: Int64, receipt: Int64) throws {
        let amount = try SourceAmount.checked(amount, "receipt_tenders.amount_ore of receipt \(receipt)")
        tenders[type] = try SourceAmount.sum(tenders[type, default: 0], amount, "the day's \(type) tenders")
    }

    func result(day: BusinessDay, department: String, file: String) -> ReceiptDayTotals {
        ReceiptDayTotals(
            businessDay: day.text, department: department, file: file, receipts: receipts, lines: lines,
            firstReceipt: first ?? 0, lastReceipt: last, grossSales: FixedPoint.money(ore: gross).text,
            discounts: FixedPoint.money(ore: discounts).text,
            grossByVatCode: grossByVatCode.mapValues { FixedPoint.money(ore: $0).text },
            tenders: tenders.mapValues { FixedPoint.money(ore: $0).text })
    }
}

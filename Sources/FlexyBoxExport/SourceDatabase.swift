import FlexyVismaCore
import Foundation
import GRDB

/// A FlexyBox source database, opened read-only and checked against `Schemas/flexybox-source.sql`.
public struct SourceDatabase: Sendable {
    public let url: URL
    let queue: DatabaseQueue

    /// Tables and the columns the export reads; anything missing is named in the error.
    static let expectedColumns: [String: [String]] = [
        "departments": ["code", "name"],
        "items": [
            "item_number", "name", "kind", "item_group", "unit", "sales_price_ore", "cost_price_ore", "vat_code",
            "visma_item_class", "active", "modified_at",
        ],
        "calculations": ["item_number", "revision", "modified_at"],
        "calculation_components": ["item_number", "revision", "line", "component_item", "quantity_e4", "unit"],
        "customers": [
            "customer_number", "name", "address_line1", "address_line2", "postal_code", "city", "country", "email",
            "phone", "vat_number", "customer_class", "modified_at",
        ],
        "customer_payments": [
            "payment_id", "business_day", "customer_number", "payment_type", "amount_ore", "currency", "department",
            "reference",
        ],
        "purchase_orders": ["number", "supplier", "order_date", "department"],
        "purchase_order_lines": ["po_number", "line", "item_number", "quantity_e4", "unit", "unit_cost_ore"],
        "receipts": ["number", "department", "register", "business_day", "time"],
        "receipt_lines": [
            "receipt_number", "line", "item_number", "item_group", "quantity_e4", "unit_price_ore", "discount_ore",
            "amount_ore", "vat_code",
        ],
        "receipt_tenders": ["receipt_number", "line", "payment_type", "amount_ore"],
    ]

    /// Opens the file read-only: a missing file is a configuration error (78), a file that is not a
    /// FlexyBox database a data error (65); both name the file.
    public init(url: URL) throws {
        self.url = url
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw OperatorMessage(
                .configuration,
                "the FlexyBox source database \(url.path) does not exist; check source.path in the configuration")
        }
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.label = "flexybox-source"
        do {
            queue = try DatabaseQueue(path: url.path, configuration: configuration)
            try queue.read { db in
                for (table, columns) in SourceDatabase.expectedColumns.sorted(by: { $0.key < $1.key }) {
                    guard try db.tableExists(table) else {
                        throw OperatorMessage(
                            .dataRejected,
                            "the FlexyBox source database \(url.path) has no table '\(table)'; is it a FlexyBox database (see Schemas/flexybox-source.sql)?"
                        )
                    }
                    let present = Set(try db.columns(in: table).map(\.name))
                    let missing = columns.filter { !present.contains($0) }
                    guard missing.isEmpty else {
                        throw OperatorMessage(
                            .dataRejected,
                            "the FlexyBox source database \(url.path): table '\(table)' lacks \(missing.joined(separator: ", "))"
                        )
                    }
                }
            }
        } catch let failure as OperatorMessage {
            throw failure
        } catch let error as DatabaseError {
            throw OperatorMessage(
                .dataRejected,
                "the FlexyBox source database \(url.path) cannot be read: \(error.message ?? error.description) (SQLite code \(error.resultCode.rawValue))"
            )
        }
    }

    /// Runs `body` in one read transaction: everything it reads is one consistent snapshot.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as DatabaseError {
            throw OperatorMessage(
                .dataRejected,
                "the FlexyBox source database \(url.path) failed while reading: \(error.message ?? error.description)")
        }
    }

    /// The first day with receipts, payments or purchase orders in the source.
    func earliestBusinessDay() throws -> BusinessDay? {
        let earliest = try read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT min(d) FROM (SELECT min(business_day) AS d FROM receipts
                        UNION ALL SELECT min(business_day) FROM customer_payments
                        UNION ALL SELECT min(order_date) FROM purchase_orders)
                    """)
        }
        return earliest.flatMap(BusinessDay.init)
    }
}

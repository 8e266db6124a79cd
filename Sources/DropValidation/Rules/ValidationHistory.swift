import FlexyVismaCore
import Foundation
import GRDB
import StateStore

/// What earlier accepted batches carried: `state/history.sqlite` (payment ids, item kinds, kit
/// products, business days per department). Written when validation accepts a batch; a discard
/// removes the batch's rows again.
public struct ValidationHistory: Sendable {
    public let url: URL
    private let queue: DatabaseQueue

    /// The history's schema; append a migration to change it, never edit a registered one.
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // The schema from before migrations were recorded: adopts a history made then as it is.
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS items (number TEXT PRIMARY KEY, kind TEXT NOT NULL, batch TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS kit_products (number TEXT PRIMARY KEY, batch TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS payments (payment_id TEXT PRIMARY KEY, batch TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS receipt_days (day TEXT NOT NULL, department TEXT NOT NULL, batch TEXT NOT NULL,
                                                             PRIMARY KEY (day, department));
                    """)
        }
        return migrator
    }

    /// Opens (creating or migrating) the root's history.
    public init(root: PipelineRoot) throws {
        url = root.state.appendingPathComponent("history.sqlite")
        var configuration = Configuration()
        configuration.label = "history"
        queue = try StateDatabase(url: url, migrator: Self.migrator).open(configuration)
    }

    func snapshot() throws -> HistorySnapshot {
        try queue.read { db in
            var history = HistorySnapshot()
            for row in try Row.fetchAll(db, sql: "SELECT number, kind FROM items") {
                history.itemKinds[row["number"]] = row["kind"]
            }
            history.kitProducts = Set(try String.fetchAll(db, sql: "SELECT number FROM kit_products"))
            history.paymentIds = Set(try String.fetchAll(db, sql: "SELECT payment_id FROM payments"))
            for row in try Row.fetchAll(db, sql: "SELECT day, department, batch FROM receipt_days") {
                history.receiptDays["\(row["day"] as String? ?? "")|\(row["department"] as String? ?? "")"] =
                    row["batch"]
            }
            return history
        }
    }

    /// Records what an accepted batch carried.
    /// `paymentIds` hands each id to the closure it is given, so a million ids stream from the files.
    public func record(
        batch: BatchID, itemKinds: [String: String], kitProducts: Set<String>,
        receiptDays: [(day: String, department: String)],
        paymentIds: ((String) throws -> Void) throws -> Void
    ) throws {
        try queue.write { db in
            for (number, kind) in itemKinds {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO items VALUES (?, ?, ?)", arguments: [number, kind, batch.rawValue])
            }
            for number in kitProducts {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO kit_products VALUES (?, ?)", arguments: [number, batch.rawValue])
            }
            // Many rows per statement: a million ids one statement each spent most of the time
            // binding and stepping, not storing.
            let rowsPerStatement = 256
            let insertMany = try db.makeStatement(
                sql: "INSERT OR IGNORE INTO payments VALUES "
                    + Array(repeating: "(?, ?)", count: rowsPerStatement).joined(separator: ", "))
            let insertOne = try db.makeStatement(sql: "INSERT OR IGNORE INTO payments VALUES (?, ?)")
            var pending: [String] = []
            pending.reserveCapacity(rowsPerStatement * 2)
            try paymentIds { id in
                pending.append(id)
                pending.append(batch.rawValue)
                guard pending.count == rowsPerStatement * 2 else { return }
                try insertMany.execute(arguments: StatementArguments(pending))
                pending.removeAll(keepingCapacity: true)
            }
            for row in stride(from: 0, to: pending.count, by: 2) {
                try insertOne.execute(arguments: [pending[row], pending[row + 1]])
            }
            for entry in receiptDays {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO receipt_days VALUES (?, ?, ?)",
                    arguments: [entry.day, entry.department, batch.rawValue])
            }
        }
    }

    /// Forgets a discarded batch.
    public func forget(batch: BatchID) throws {
        try queue.write { db in
            for table in ["items", "kit_products", "payments", "receipt_days"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE batch = ?", arguments: [batch.rawValue])
            }
        }
    }
}

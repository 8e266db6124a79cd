import FlexyVismaCore
import Foundation
import GRDB
import VismaPayloads

/// The exactly-once ledger: `state/ledger.sqlite` (WAL, synchronous FULL), one row per payload record.
///
/// `pending` → `sending` (committed before the request leaves) → `done` (with the Visma id) or
/// `rejected` (with Visma's message). A `sending` row found at start was interrupted: the natural
/// key is looked up in Visma before anything is sent again.
public struct UploadLedger: Sendable {
    public enum State: String, Sendable {
        case pending, sending, done, rejected
    }

    public struct Entry: Sendable {
        public var sequence: Int
        public var state: State
        public var vismaId: String?
        public var message: String?
    }

    private let queue: DatabaseQueue

    public init(root: PipelineRoot) throws {
        var configuration = Configuration()
        configuration.label = "ledger"
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        queue = try DatabaseQueue(path: root.state.appendingPathComponent("ledger.sqlite").path, configuration: configuration)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS ledger (
                    batch TEXT NOT NULL, sequence INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
                    state TEXT NOT NULL, visma_id TEXT, message TEXT, attempts INTEGER NOT NULL DEFAULT 0, updated TEXT NOT NULL,
                    PRIMARY KEY (batch, sequence));
                CREATE INDEX IF NOT EXISTS ledger_by_state ON ledger (batch, state);
                """)
        }
    }

    /// Adds a `pending` row for every record the ledger does not have yet.
    public func prepare(batch: BatchID, records: [PayloadRecord]) throws {
        try queue.write { db in
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO ledger (batch, sequence, kind, key, state, updated) VALUES (?, ?, ?, ?, 'pending', ?)")
            let now = Timestamp.iso8601(Date())
            for record in records {
                try insert.execute(arguments: [batch.rawValue, record.sequence, record.kind, record.key, now])
            }
        }
    }

    public func entries(batch: BatchID) throws -> [Int: Entry] {
        try queue.read { db in
            var entries: [Int: Entry] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT sequence, state, visma_id, message FROM ledger WHERE batch = ?", arguments: [batch.rawValue]) {
                let sequence: Int = row["sequence"]
                entries[sequence] = Entry(
                    sequence: sequence, state: State(rawValue: row["state"]) ?? .pending, vismaId: row["visma_id"], message: row["message"])
            }
            return entries
        }
    }

    /// Marks a window of records `sending` in one transaction, before any of them leaves.
    public func markSending(batch: BatchID, sequences: [Int]) throws {
        try queue.write { db in
            let update = try db.makeStatement(
                sql: "UPDATE ledger SET state = 'sending', attempts = attempts + 1, updated = ? WHERE batch = ? AND sequence = ?")
            let now = Timestamp.iso8601(Date())
            for sequence in sequences { try update.execute(arguments: [now, batch.rawValue, sequence]) }
        }
    }

    /// Records outcomes in one transaction (group commit).
    public func record(batch: BatchID, _ outcomes: [(sequence: Int, state: State, vismaId: String?, message: String?)]) throws {
        guard !outcomes.isEmpty else { return }
        try queue.write { db in
            let update = try db.makeStatement(
                sql: "UPDATE ledger SET state = ?, visma_id = ?, message = ?, updated = ? WHERE batch = ? AND sequence = ?")
            let now = Timestamp.iso8601(Date())
            for outcome in outcomes {
                try update.execute(arguments: [outcome.state.rawValue, outcome.vismaId, outcome.message, now, batch.rawValue, outcome.sequence])
            }
        }
    }

    /// For a retry after the cause was fixed: rejected rows go back to pending.
    public func resetRejected(batch: BatchID) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE ledger SET state = 'pending', message = NULL, updated = ? WHERE batch = ? AND state = 'rejected'",
                arguments: [Timestamp.iso8601(Date()), batch.rawValue])
        }
    }
}

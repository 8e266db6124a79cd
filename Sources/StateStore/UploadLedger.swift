import FlexyVismaCore
import Foundation
import GRDB

/// The exactly-once ledger: `state/ledger.sqlite` (WAL, synchronous FULL), one row per payload record.
///
/// `pending` → `sending` (committed before the request leaves) → `done` (with the Visma id) or
/// `rejected` (with Visma's message); `waiting` (a withdrawal whose deposits are not released yet) goes
/// back to sending on a later run. A `sending` row found at start was interrupted: the natural
/// key is looked up in Visma before anything is sent again. A document to release has its own
/// `release` state beside `done`, so a release a crash or a queue left unconfirmed is finished later.
/// Readers other than the upload stage use `UploadLedger.Reader`, never their own SQL.
public struct UploadLedger: Sendable {
    public enum State: String, Sendable, CaseIterable {
        case pending, sending, done, rejected, waiting
    }

    /// Where the release of a created document stands; nil: not asked for yet (or nothing to release).
    public enum ReleaseState: String, Sendable, CaseIterable {
        /// Asked for and not confirmed (a crash, or no answer): look at the document, then release it if it is not.
        case pending
        /// Visma answered `Queued` or `InProcess`: look at the document until it shows released.
        case queued
        case done
        /// Visma answered `Failed`; its text is the row's message.
        case failed
    }

    public struct Entry: Sendable, Equatable {
        public var sequence: Int
        public var state: State
        public var vismaId: String?
        public var message: String?
        public var release: ReleaseState? = nil
        /// What a refund was applied to, decided at send time (JSON lines as sent).
        public var applied: String? = nil
    }

    /// What the ledger keeps of a payload record when it is prepared.
    public struct Record: Sendable {
        public var sequence: Int
        public var kind: String
        public var key: String

        public init(sequence: Int, kind: String, key: String) {
            self.sequence = sequence
            self.kind = kind
            self.key = key
        }
    }

    private let queue: DatabaseQueue

    public static func file(in root: PipelineRoot) -> URL { root.state.appendingPathComponent("ledger.sqlite") }

    /// The ledger's schema; append a migration to change it, never edit a registered one.
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // The schema from before migrations were recorded: adopts a ledger made then as it is.
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS ledger (
                        batch TEXT NOT NULL, sequence INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
                        state TEXT NOT NULL, visma_id TEXT, message TEXT, attempts INTEGER NOT NULL DEFAULT 0, updated TEXT NOT NULL,
                        PRIMARY KEY (batch, sequence));
                    CREATE INDEX IF NOT EXISTS ledger_by_state ON ledger (batch, state);
                    """)
        }
        // v2: the release of each document is tracked on its own (a release is confirmed, queued or failed apart
        // from the create), and a refund keeps what it was applied to. Rows done before it were released, if at
        // all, by the old fire-and-forget call: they count as released.
        migrator.registerMigration("v2-release") { db in
            try db.execute(
                sql: """
                    ALTER TABLE ledger ADD COLUMN release TEXT;
                    ALTER TABLE ledger ADD COLUMN applied TEXT;
                    UPDATE ledger SET release = 'done' WHERE state = 'done';
                    """)
        }
        // Visma's number by kind and our key, across batches: what later records address and refer to.
        migrator.registerMigration("v3-numbers-by-key") { db in
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS ledger_by_key ON ledger (kind, key, state)")
        }
        return migrator
    }

    static func database(in root: PipelineRoot) -> StateDatabase {
        StateDatabase(url: file(in: root), migrator: migrator)
    }

    /// Opens (creating or migrating) the root's ledger for the upload stage.
    public init(root: PipelineRoot) throws {
        var configuration = Configuration()
        configuration.label = "ledger"
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        queue = try Self.database(in: root).open(configuration)
    }

    /// Adds a `pending` row for every record the ledger does not have yet.
    public func prepare(batch: BatchID, records: [Record]) throws {
        try queue.write { db in
            let insert = try db.makeStatement(
                sql:
                    "INSERT OR IGNORE INTO ledger (batch, sequence, kind, key, state, updated) VALUES (?, ?, ?, ?, 'pending', ?)"
            )
            let now = Timestamp.iso8601(Date())
            for record in records {
                try insert.execute(arguments: [batch.rawValue, record.sequence, record.kind, record.key, now])
            }
        }
    }

    public func entries(batch: BatchID) throws -> [Int: Entry] {
        try queue.read { db in try Self.entries(db, batch: batch) }
    }

    /// The migrations applied to this ledger, in order.
    public func appliedMigrations() throws -> [String] {
        try queue.read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Marks a window of records `sending` in one transaction, before any of them leaves.
    public func markSending(batch: BatchID, sequences: [Int]) throws {
        try queue.write { db in
            let update = try db.makeStatement(
                sql:
                    "UPDATE ledger SET state = 'sending', attempts = attempts + 1, updated = ? WHERE batch = ? AND sequence = ?"
            )
            let now = Timestamp.iso8601(Date())
            for sequence in sequences { try update.execute(arguments: [now, batch.rawValue, sequence]) }
        }
    }

    /// One record's outcome: its new state, Visma's id and the message kept with it.
    public typealias Outcome = (sequence: Int, state: State, vismaId: String?, message: String?)

    /// Records outcomes in one transaction (group commit).
    public func record(batch: BatchID, _ outcomes: [Outcome]) throws {
        guard !outcomes.isEmpty else { return }
        try queue.write { db in
            let update = try db.makeStatement(
                sql:
                    "UPDATE ledger SET state = ?, visma_id = ?, message = ?, updated = ? WHERE batch = ? AND sequence = ?"
            )
            let now = Timestamp.iso8601(Date())
            for outcome in outcomes {
                try update.execute(arguments: [
                    outcome.state.rawValue, outcome.vismaId, outcome.message, now, batch.rawValue, outcome.sequence,
                ])
            }
        }
    }

    /// For a retry after the cause was fixed: rejected rows go back to pending, failed releases to not asked.
    public func resetRejected(batch: BatchID) throws {
        try queue.write { db in
            let now = Timestamp.iso8601(Date())
            try db.execute(
                sql:
                    "UPDATE ledger SET state = 'pending', message = NULL, updated = ? WHERE batch = ? AND state = 'rejected'",
                arguments: [now, batch.rawValue])
            try db.execute(
                sql:
                    "UPDATE ledger SET release = NULL, message = NULL, updated = ? WHERE batch = ? AND release = 'failed'",
                arguments: [now, batch.rawValue])
        }
    }

    /// Records where a document's release stands (and Visma's text when it failed).
    public func recordRelease(batch: BatchID, sequence: Int, _ state: ReleaseState, message: String? = nil) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE ledger SET release = ?, message = ?, updated = ? WHERE batch = ? AND sequence = ?",
                arguments: [state.rawValue, message, Timestamp.iso8601(Date()), batch.rawValue, sequence])
        }
    }

    /// Records what a refund is applied to, before it is sent.
    public func recordApplication(batch: BatchID, sequence: Int, applied: String) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE ledger SET applied = ?, updated = ? WHERE batch = ? AND sequence = ?",
                arguments: [applied, Timestamp.iso8601(Date()), batch.rawValue, sequence])
        }
    }

    /// The number Visma gave each of these records of `kind` (by our key), from whichever batch created or
    /// updated it last; a key Visma has not confirmed is absent.
    public func vismaNumbers(kind: String, keys: some Sequence<String>) throws -> [String: String] {
        try queue.read { db in try Self.vismaNumbers(db, kind: kind, keys: keys) }
    }

    static func vismaNumbers(_ db: Database, kind: String, keys: some Sequence<String>) throws -> [String: String] {
        let statement = try db.makeStatement(
            sql: """
                SELECT visma_id FROM ledger WHERE kind = ? AND key = ? AND state = 'done' AND visma_id IS NOT NULL
                ORDER BY updated DESC, rowid DESC LIMIT 1
                """)
        var numbers: [String: String] = [:]
        for key in Set(keys) {
            if let number = try String.fetchOne(statement, arguments: [kind, key]) { numbers[key] = number }
        }
        return numbers
    }

    static func entries(_ db: Database, batch: BatchID) throws -> [Int: Entry] {
        var entries: [Int: Entry] = [:]
        // `*`: a ledger read only may predate v2, whose columns then read as absent.
        for row in try Row.fetchAll(db, sql: "SELECT * FROM ledger WHERE batch = ?", arguments: [batch.rawValue]) {
            let sequence: Int = row["sequence"]
            let release: String? = row.hasColumn("release") ? row["release"] : nil
            entries[sequence] = Entry(
                sequence: sequence, state: State(rawValue: row["state"]) ?? .pending, vismaId: row["visma_id"],
                message: row["message"],
                release: release.flatMap(ReleaseState.init(rawValue:)),
                applied: row.hasColumn("applied") ? row["applied"] : nil)
        }
        return entries
    }
}

extension UploadLedger {
    /// The ledger read only, for `plan`, `status` and audits: never creates, migrates or locks it.
    public struct Reader: Sendable {
        private let queue: DatabaseQueue

        /// The root's ledger, or nil when no upload has made one yet.
        public static func open(root: PipelineRoot) throws -> Reader? {
            try UploadLedger.database(in: root).openReadOnly(label: "ledger (read only)").map(Reader.init)
        }

        private init(queue: DatabaseQueue) { self.queue = queue }

        public func entries(batch: BatchID) throws -> [Int: Entry] {
            try queue.read { db in try UploadLedger.entries(db, batch: batch) }
        }

        /// The batch's records that wait (a withdrawal for its deposits, a queued release), with why, by sequence.
        public func waiting(batch: BatchID) throws -> [(sequence: Int, kind: String, key: String, why: String)] {
            try queue.read { db in
                let entries = try UploadLedger.entries(db, batch: batch)
                return try Row.fetchAll(
                    db, sql: "SELECT sequence, kind, key FROM ledger WHERE batch = ? ORDER BY sequence",
                    arguments: [batch.rawValue]
                )
                .compactMap { row -> (Int, String, String, String)? in
                    let sequence: Int = row["sequence"]
                    guard let entry = entries[sequence] else { return nil }
                    if entry.state == .waiting { return (sequence, row["kind"], row["key"], entry.message ?? "waits") }
                    if entry.state == .done, entry.release == .queued || entry.release == .pending {
                        return (
                            sequence, row["kind"], row["key"],
                            "created; its release is not confirmed yet (the next run looks again)"
                        )
                    }
                    return nil
                }
            }
        }

        /// The number Visma gave each of these records of `kind` (by our key), for `audit` and `plan`.
        public func vismaNumbers(kind: String, keys: some Sequence<String>) throws -> [String: String] {
            try queue.read { db in try UploadLedger.vismaNumbers(db, kind: kind, keys: keys) }
        }

        /// The sequences of the batch's records Visma has confirmed.
        public func done(batch: BatchID) throws -> Set<Int> {
            try queue.read { db in
                Set(
                    try Int.fetchAll(
                        db, sql: "SELECT sequence FROM ledger WHERE batch = ? AND state = 'done'",
                        arguments: [batch.rawValue]))
            }
        }
    }
}

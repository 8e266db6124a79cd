import FlexyVismaCore
import Foundation
import GRDB

/// A SQLite database under `state/` whose schema is a list of GRDB migrations.
///
/// Migration 1 of each database is its schema from before migrations were recorded, in
/// `IF NOT EXISTS` statements: a database made then (no `grdb_migrations` table) is adopted as it
/// is. A later change appends a migration. A database that has migrations this build does not
/// know was written by a newer FlexyVisma and is refused (`NewerStateFile`, exit 78).
public struct StateDatabase: Sendable {
    public let url: URL
    public let migrator: DatabaseMigrator

    public init(url: URL, migrator: DatabaseMigrator) {
        self.url = url
        self.migrator = migrator
    }

    /// Opens for writing (WAL) and applies the migrations the database lacks.
    public func open(_ configuration: Configuration) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: url.path, configuration: configuration)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        try queue.read(refuseNewer)
        try migrator.migrate(queue)
        return queue
    }

    /// Opens read only, never creating or migrating: nil when the database does not exist.
    ///
    /// One that no build migrated yet has the schema of migration 1, so a reader written against
    /// the current schema must cope with every older one its migrator knows.
    public func openReadOnly(label: String) throws -> DatabaseQueue? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        var configuration = Configuration()
        configuration.label = label
        configuration.readonly = true
        let queue = try DatabaseQueue(path: url.path, configuration: configuration)
        try queue.read(refuseNewer)
        return queue
    }

    /// The identifiers of the migrations applied to the database, in the order they were registered.
    public func appliedMigrations(_ queue: DatabaseQueue) throws -> [String] {
        try queue.read { db in try migrator.appliedMigrations(db) }
    }

    private func refuseNewer(_ db: Database) throws {
        let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations)
        guard !unknown.isEmpty else { return }
        throw NewerStateFile(
            file: url, unknown: "migration\(unknown.count == 1 ? "" : "s") \(unknown.sorted().joined(separator: ", "))")
    }
}

import FlexyVismaCore
import Foundation
import GRDB
import TestSupport
import Testing

/// A root whose state a newer FlexyVisma wrote stops the executables with exit 78, naming the file.
@Suite struct NewerStateProcessTests {
    let folder: TemporaryFolder
    let root: PipelineRoot

    init() throws {
        folder = try TemporaryFolder("flexyvisma-newer-state")
        root = PipelineRoot(folder.path("venue"))
        let initialised = try ChildProcess.run(ChildProcess.executable("flexyvisma"), ["init", root.url.path])
        #expect(initialised.status == 0, "\(initialised)")
    }

    @Test func uploadRefusesALedgerWithAnUnknownMigration() throws {
        let ledger = root.state.appendingPathComponent("ledger.sqlite")
        try DatabaseQueue(path: ledger.path).write { db in
            try db.execute(
                sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1'), ('v2-from-a-newer-version');
                    """)
        }
        let upload = try ChildProcess.run(ChildProcess.executable("flexyvisma-upload"), ["--root", root.url.path])
        #expect(upload.status == 78, "\(upload)")
        #expect(upload.standardError.contains("state/ledger.sqlite"))
        #expect(upload.standardError.contains("v2-from-a-newer-version"))
    }

    @Test func statusRefusesAHaltRecordOfANewerLayout() throws {
        let halt = HaltRecord(batchId: BatchID.make(), stage: .validate, rejections: 1, first: nil, report: nil)
        var object = try JSONSerialization.jsonObject(with: CanonicalJSON.encode(halt)) as? [String: Any] ?? [:]
        object["schemaVersion"] = HaltRecord.schemaVersion + 1
        try JSONSerialization.data(withJSONObject: object).write(to: HaltRecord.file(in: root))
        let status = try ChildProcess.run(ChildProcess.executable("flexyvisma"), ["status", "--root", root.url.path])
        #expect(status.status == 78, "\(status)")
        #expect(status.standardError.contains("state/halt.json"))
    }
}

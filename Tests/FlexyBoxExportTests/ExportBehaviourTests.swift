import FlexyBoxExport
import FlexyVismaCore
import Foundation
import GRDB
import TestSupport
import Testing

@Suite struct ExportBehaviourTests {
    @Test func secondExportCarriesOnlyWhatChangedAndNewDays() throws {
        let fixture = try ExportFixture()
        let first = try #require(try fixture.export().manifest)

        // Nothing new on the same day: no batch.
        let nothing = try fixture.export()
        #expect(nothing.batchId == nil)
        #expect(nothing.summary.contains("nothing to export"))

        // One item changes and a new business day is closed.
        let source = try DatabaseQueue(path: fixture.sourceURL.path)
        try source.write { db in
            try db.execute(
                sql:
                    "UPDATE items SET sales_price_ore = 5000, modified_at = '2026-11-29T09:00:00+01:00' WHERE item_number = '1004'"
            )
            try db.execute(
                sql: "INSERT INTO receipts VALUES (900001, 'cafe', 'K1', '2026-11-29', '2026-11-29T10:00:00+01:00')")
            try db.execute(
                sql: "INSERT INTO receipt_lines VALUES (900001, 1, '1004', 'Kaffe', 10000, 5000, 0, 5000, '25')")
            try db.execute(sql: "INSERT INTO receipt_tenders VALUES (900001, 1, 'Dankort', 5000)")
        }
        try source.close()
        let next = try fixture.export(now: ExportFixture.afterSampleWeek.addingTimeInterval(86_400))
        let manifest = try #require(next.manifest)
        let batch = try #require(next.batchFolder)
        #expect(manifest.export?.businessDays == ["2026-11-29"])
        #expect(manifest.counts == ["items": 1, "receipts": 1])
        #expect(try readCSV(batch.appendingPathComponent("items.csv")).map { $0["sales_price"] } == ["50.00"])
        #expect(manifest.export?.masterDataChangedAfter == first.export?.masterDataChangedUpTo)
        #expect(manifest.export?.masterDataChangedUpTo == "2026-11-29T08:00:00.000Z")
        #expect(!FileManager.default.fileExists(atPath: batch.appendingPathComponent("customers.csv").path))

        // The manifests form a chain.
        let firstBytes = try Data(
            contentsOf: fixture.root.inboxFolder(first.batchId).appendingPathComponent("export.manifest.json"))
        #expect(manifest.previous == firstBytes.sha256Hex)
    }

    @Test func exportingADayTwiceIsRefusedUnlessForcedAndForcingIsRecorded() throws {
        let fixture = try ExportFixture()
        let first = try #require(try fixture.export(.day(ExportFixture.day("2026-11-27"))).manifest)
        let refusal = #expect(throws: OperatorMessage.self) {
            try fixture.export(.day(ExportFixture.day("2026-11-27")))
        }
        #expect(refusal?.exitStatus == .usage)
        #expect(refusal?.message.contains(first.batchId.rawValue) == true)
        #expect(refusal?.message.contains("--force") == true)

        let forced = try #require(try fixture.export(.day(ExportFixture.day("2026-11-27")), force: true).manifest)
        #expect(forced.export?.forced == true)
        #expect(forced.export?.reexportedFrom == ["2026-11-27": first.batchId])
        #expect(forced.counts["receipts"] == first.counts["receipts"])
        // Master data did not change in between, so the forced batch carries only the day's documents.
        #expect(forced.counts["items"] == nil)
    }

    @Test func sinceLastCatchesUpOnEveryDayMissedAfterTheLastExport() throws {
        let fixture = try ExportFixture()
        _ = try fixture.export(.day(ExportFixture.day("2026-11-24")))
        let catchUp = try #require(try fixture.export().manifest)
        #expect(catchUp.export?.businessDays == ["2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28"])
    }

    /// Amounts in the source are summed with checks: a hostile or broken value is refused by name, never a trap.
    @Test func anAmountBeyondFifteenDigitsInTheSourceIsRefusedNamingTheRecord() throws {
        let fixture = try ExportFixture()
        let source = try DatabaseQueue(path: fixture.sourceURL.path)
        try source.write { db in
            try db.execute(
                sql: "UPDATE receipt_lines SET amount_ore = 9223372036854775000 WHERE receipt_number = 100002")
        }
        try source.close()
        do {
            _ = try fixture.export()
            Issue.record("the export should refuse the amount")
        } catch let message as OperatorMessage {
            #expect(message.exitStatus == .dataRejected)
            #expect(message.message.contains("receipt_lines.amount_ore of receipt 100002"))
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: fixture.root.inbox.path).filter { BatchID($0) != nil }
                .isEmpty)
    }

    @Test func missingSourceIsAConfigurationErrorNamingTheFile() throws {
        let fixture = try ExportFixture()
        try FileManager.default.removeItem(at: fixture.sourceURL)
        let error = #expect(throws: OperatorMessage.self) { try fixture.export() }
        #expect(error?.exitStatus == .configuration)
        #expect(error?.message.contains(fixture.sourceURL.path) == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.root.inbox.path).isEmpty)
    }

    @Test func corruptSourceIsADataErrorNamingTheFile() throws {
        let fixture = try ExportFixture()
        var bytes = [UInt8](repeating: 0, count: 8192)
        for index in bytes.indices { bytes[index] = UInt8((index * 7919) % 251) }
        try Data(bytes).write(to: fixture.sourceURL)
        let error = #expect(throws: OperatorMessage.self) { try fixture.export() }
        #expect(error?.exitStatus == .dataRejected)
        #expect(error?.message.contains(fixture.sourceURL.path) == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.root.inbox.path).isEmpty)
    }

    @Test func databaseThatIsNotFlexyBoxIsADataErrorNamingTheMissingTable() throws {
        let fixture = try ExportFixture()
        try FileManager.default.removeItem(at: fixture.sourceURL)
        let other = try DatabaseQueue(path: fixture.sourceURL.path)
        try other.write { db in try db.execute(sql: "CREATE TABLE notes (text TEXT)") }
        try other.close()
        let error = #expect(throws: OperatorMessage.self) { try fixture.export() }
        #expect(error?.exitStatus == .dataRejected)
        #expect(error?.message.contains("no table") == true)
    }
}

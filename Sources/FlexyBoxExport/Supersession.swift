import DropFormats
import FlexyVismaCore
import Foundation
import GRDB

/// A batch exported from the source that the pipeline refused before upload (docs/ARCHITECTURE.md, "Halt, retry, discard"):
/// the fix is made in FlexyBox, so the next export takes its scope again from the source as it is now.
struct HaltedSourceBatch {
    var batchId: BatchID
    var folder: URL
    var export: ExportDetails
    var outputs: [FileRecord]

    /// The halted batch, when the halt is at validate or transform on a batch the nightly export made.
    static func current(in root: PipelineRoot) throws -> HaltedSourceBatch? {
        guard let halt = try HaltRecord.current(in: root), halt.stage == .validate || halt.stage == .transform,
            let folder = root.locateBatch(halt.batchId), folder.deletingLastPathComponent().path != root.archive.path,
            let manifest = StageManifest.read(.export, in: folder), let export = manifest.export,
            // A repost or a forced export was asked for by hand: it is retried or discarded, not re-exported by the night.
            export.repost == nil, !export.forced
        else { return nil }
        return HaltedSourceBatch(batchId: halt.batchId, folder: folder, export: export, outputs: manifest.outputs)
    }

    var days: [BusinessDay] { export.businessDays.compactMap(BusinessDay.init) }

    /// Whether the source now differs from what the batch carried: one of its master-data records was
    /// changed after it was exported, or one of its days exports differently.
    func sourceChanged(_ db: Database, writers: DropFileWriters, probe: URL) throws -> Bool {
        try masterDataChanged(db) || dayFilesChanged(db, writers: writers, probe: probe)
    }

    private func masterDataChanged(_ db: Database) throws -> Bool {
        guard let exportedUpTo = export.masterDataChangedUpTo else { return false }
        let tables: [(DropFileType, String, String)] = [
            (.items, "items", "item_number"), (.customers, "customers", "customer_number"),
            (.calculations, "calculations", "item_number"),
        ]
        for (type, table, key) in tables {
            let changed = "strftime('%Y-%m-%dT%H:%M:%fZ', modified_at) > ?"
            let count: Int
            if let keys = export.masterDataKeys {
                // Only the records this batch carried: other changes go with the next export anyway.
                guard let mine = keys[type.rawValue], !mine.isEmpty else { continue }
                count =
                    try Int.fetchOne(
                        db,
                        sql:
                            "SELECT count(*) FROM \(table) WHERE \(changed) AND \(key) IN (SELECT value FROM json_each(?))",
                        arguments: [exportedUpTo, MasterDataSelection.jsonArray(mine)]) ?? 0
            } else {
                // A batch from before keys were recorded: any change may be the fix.
                count =
                    try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM \(table) WHERE \(changed)", arguments: [exportedUpTo]) ?? 0
            }
            if count > 0 { return true }
        }
        return false
    }

    /// Writes the batch's days again into `probe` and compares every day file with what the batch holds.
    private func dayFilesChanged(_ db: Database, writers: DropFileWriters, probe: URL) throws -> Bool {
        let days = self.days
        guard !days.isEmpty else { return false }
        var written: [String: Int] = [:]
        written["payments.csv"] = try writers.writePayments(
            db, days: days, to: probe.appendingPathComponent("payments.csv")
        ).records
        written["purchase_orders.xml"] = try writers.writePurchaseOrders(
            db, days: days, to: probe.appendingPathComponent("purchase_orders.xml")
        ).records
        for file in try writers.writeReceipts(db, days: days, folder: probe) { written[file.fileName] = 1 }
        let dayFile = { (name: String) in
            name == "payments.csv" || name == "purchase_orders.xml" || name.hasPrefix("receipts-")
        }
        let before = Dictionary(
            outputs.filter { dayFile($0.path) }.map { ($0.path, $0.sha256) },
            uniquingKeysWith: { (first: String, _: String) in first })
        var after: [String: String] = [:]
        for (name, records) in written where records > 0 {
            after[name] = try DurableFiles.digest(of: probe.appendingPathComponent(name)).sha256
        }
        return before != after
    }
}

/// The export's side of superseding: which batches go into the replacement, and marking them.
enum Supersession {
    static func finish(_ batches: [BatchID], by replacement: BatchID, root: PipelineRoot, runId: String) throws {
        try Supersede.mark(
            batches, by: replacement, because: "exported again from FlexyBox after the source changed", root: root,
            runId: runId)
    }

    /// Source batches waiting in the inbox (exported while an earlier one was halted): they go into the replacement.
    static func waitingSourceBatches(in root: PipelineRoot) -> [(BatchID, ExportDetails)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.inbox.path)) ?? []
        return names.compactMap(BatchID.init).sorted().compactMap { id in
            StageManifest.read(.export, in: root.inboxFolder(id))?.export.map { (id, $0) }
        }
    }
}

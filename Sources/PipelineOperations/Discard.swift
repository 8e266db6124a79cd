import FlexyBoxExport
import FlexyVismaCore
import Foundation

/// `flexyvisma discard <batchId> --reason "…" [--abandon]`: takes a batch out of the queue so it moves.
/// Recorded in a chained `discard.manifest.json`; the files are kept and archived, never deleted. A
/// batch exported from FlexyBox gives its days and records back to the export's to-do list, unless
/// the operator abandons them (recorded with the reason).
public enum Discard {
    public static func run(
        root: PipelineRoot, batchId: BatchID, reason: String, abandon: Bool = false, forget: (BatchID) throws -> Void
    ) throws -> String {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw OperatorMessage(.usage, "say why: --reason \"…\" is recorded for the auditor")
        }
        let lock = try FileLock.acquire(
            root.state.appendingPathComponent("run.lock"), purpose: "flexyvisma discard \(batchId)")
        defer { withExtendedLifetime(lock) {} }
        var folder = root.batchFolder(batchId)
        if !FileManager.default.fileExists(atPath: folder.path) {
            guard FileManager.default.fileExists(atPath: root.inboxFolder(batchId).path) else {
                throw OperatorMessage(
                    .usage, "batch \(batchId) is neither in inbox/ nor in batches/ (archived batches are final)")
            }
            try DurableFiles.rename(root.inboxFolder(batchId), to: folder)
            folder = root.batchFolder(batchId)
        }
        let halt = try HaltRecord.current(in: root)
        var manifest = StageManifest(
            stage: .discard, batchId: batchId, runId: RunLogging.makeRunId(), startedAt: Date(), finishedAt: Date(),
            status: .skipped)
        var notes = [
            Finding(
                rule: (abandon ? PipelineRule.batchAbandoned : PipelineRule.batchDiscarded).id, message: reason,
                hint: abandon
                    ? "discarded by an operator, its business days left out of the books on purpose; its files are kept in the archive"
                    : "discarded by an operator; its files are kept in the archive")
        ]
        if let upload = StageManifest.read(.upload, in: folder),
            let kinds = upload.upload?.kinds, kinds.values.contains(where: { $0.created + $0.updated > 0 })
        {
            notes.append(
                Finding(
                    rule: PipelineRule.batchPartlySent.id,
                    message: "part of this batch was already sent to Visma and stays there",
                    hint: "see upload.manifest.json for the Visma ids; correct them in Visma if needed"))
        }
        manifest.warnings = notes
        _ = try ManifestChain(root: root).publish(manifest, in: folder)
        // After the manifest: a crash before this leaves the days exported but discarded, which the
        // nightly day check names, never silently.
        let export = StageManifest.read(.export, in: folder)?.export
        let given = try export.map {
            try ExportBookkeeping.discarded(batchId, export: $0, abandon: abandon, reason: reason, root: root)
        }
        try forget(batchId)
        if halt?.batchId == batchId { try HaltRecord.clear(in: root) }
        try BatchArchive.archive(batchId, in: root)
        return
            "batch \(batchId) discarded (\(reason)); its files are in \(BatchArchive.folder(for: batchId, in: root).path)"
            + (halt?.batchId == batchId ? "; the halt is lifted and the queue moves on" : "")
            + (given.map { "; \($0)" }
                ?? "; it was dropped by hand, so nothing goes back to the export: drop its files again if they are still needed")
    }
}

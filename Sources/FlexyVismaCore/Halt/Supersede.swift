import Foundation

/// Marks batches that a newer batch replaces (a fresh export, or a corrected hand drop) as superseded:
/// a chained `discard.manifest.json` with rule `batch.superseded`, files kept for the archive, and a
/// halt that names one of them lifted.
public enum Supersede {
    public static let rule = PipelineRule.batchSuperseded.id

    /// Idempotent: a batch already marked is left alone, so a crash half-way is finished by running it again.
    public static func mark(
        _ batches: [BatchID], by replacement: BatchID, because why: String, root: PipelineRoot, runId: String
    ) throws {
        for id in batches {
            if FileManager.default.fileExists(atPath: root.inboxFolder(id).path) {
                try DurableFiles.rename(root.inboxFolder(id), to: root.batchFolder(id))
            }
            let folder = root.batchFolder(id)
            guard FileManager.default.fileExists(atPath: folder.path),
                !FileManager.default.fileExists(
                    atPath: folder.appendingPathComponent(StageManifest.fileName(of: .discard)).path)
            else { continue }
            var manifest = StageManifest(
                stage: .discard, batchId: id, runId: runId, startedAt: Date(), finishedAt: Date(), status: .skipped)
            manifest.warnings = [
                Finding(
                    rule: rule, message: "superseded by batch \(replacement), \(why)",
                    hint: "its files are kept in the archive; batch \(replacement) carries what it should have")
            ]
            _ = try ManifestChain(root: root).publish(manifest, in: folder)
        }
        if let halt = try HaltRecord.current(in: root), batches.contains(halt.batchId) {
            try HaltRecord.clear(in: root)
        }
    }
}

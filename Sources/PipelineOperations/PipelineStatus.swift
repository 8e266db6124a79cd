import FlexyVismaCore
import Foundation
import StateStore

/// Where the pipeline stands, for `status`, notifications and metrics.
public struct PipelineStatus: Codable, Sendable {
    public struct QueuedBatch: Codable, Sendable {
        public var batchId: BatchID
        /// The last stage it passed: `picked up`, `validated`, `transformed`, `uploaded`, …
        public var state: String
    }

    public var root: String
    public var halted: Bool
    public var halt: HaltRecord?
    public var queue: [QueuedBatch]
    /// Drops in the inbox not yet taken.
    public var inbox: [String]
    public var lastRun: RunRecord?
    public var nextNight: String
    /// Uploaded records that wait for Visma: withdrawals for their deposits' release, unconfirmed releases.
    public var waiting: [String] = []
    /// Stage runs that ended without a result (crash or kill), from the markers they left.
    public var interrupted: [String] = []
    /// Why the last attempt on a batch failed when it was not the batch's fault: configuration (78) or temporary (75).
    public var faults: [String] = []
    /// Where every business day since the first export stands (nil without a FlexyBox source).
    public var days: DayCheck?
    /// How the halted batch gets fixed, for its kind (from FlexyBox, by hand, at upload).
    public var fixPath: String?
    /// Inbox files named as files the halt refused in a hand-dropped batch: they replace it at the next retry.
    public var corrections: [String] = []

    /// `days`: a day check already made this run (the nightly run makes one before it writes the status), else made here.
    public static func read(
        root: PipelineRoot, configuration: PipelineConfiguration?, days: DayCheck? = nil
    ) throws -> PipelineStatus {
        let halt = try HaltRecord.current(in: root)
        var queue: [QueuedBatch] = []
        for id in root.batchesInProgress() {
            let folder = root.batchFolder(id)
            func status(_ stage: StageManifest.Stage) -> StageManifest.Status? {
                StageManifest.read(stage, in: folder)?.status
            }
            let state: String
            if let upload = StageManifest.read(.upload, in: folder), let fault = Self.fault(of: upload) {
                state = "upload failed: \(fault)"
            } else if let upload = status(.upload) {
                state = "upload \(upload.rawValue)"
            } else if status(.transform) != nil {
                state = "transformed, waiting for upload"
            } else if let validate = status(.validate) {
                state = validate == .accepted ? "validated, waiting for transform" : "validation \(validate.rawValue)"
            } else {
                state = "picked up, waiting for validation"
            }
            queue.append(QueuedBatch(batchId: id, state: state))
        }
        let ledger = try UploadLedger.Reader.open(root: root)
        let waiting = try queue.flatMap { batch in
            try (ledger?.waiting(batch: batch.batchId) ?? []).map { "\(batch.batchId) \($0.kind) \($0.key): \($0.why)" }
        }
        let inbox = ((try? FileManager.default.contentsOfDirectory(atPath: root.inbox.path)) ?? []).filter {
            !$0.hasPrefix(".")
        }.sorted()
        let nextNight: String
        let fixPath = halt.map { Self.fixPath(for: $0, root: root, configuration: configuration) }
        if let halt, let fixPath, fixPath.fromSource {
            nextNight =
                "export batch \(halt.batchId)'s days and records again if they changed in FlexyBox (it is then replaced and the queue moves on); if nothing changed, it stays halted"
        } else if let halt {
            nextNight =
                "retry batch \(halt.batchId) from \(halt.stage.rawValue); if it is still refused, nothing behind it moves"
        } else if configuration?.source != nil {
            nextNight =
                "export every business day since the last export, then validate, transform and upload \(queue.count + inbox.count + 1 > 1 ? "the \(queue.count + inbox.count) waiting drop(s) and " : "")the new batch"
        } else {
            nextNight =
                inbox.isEmpty && queue.isEmpty
                ? "nothing waits" : "validate, transform and upload \(queue.count + inbox.count) waiting drop(s)"
        }
        return PipelineStatus(
            root: root.url.path, halted: halt != nil, halt: halt, queue: queue, inbox: inbox,
            lastRun: try RunRecord.load(from: root),
            nextNight: nextNight, waiting: waiting,
            interrupted: StageRunMarker.abandoned(in: root).map(\.endedWithoutResult),
            faults: queue.compactMap {
                $0.state.hasPrefix("upload failed: ") ? "batch \($0.batchId) \($0.state)" : nil
            },
            days: try days ?? configuration.flatMap { try DayCheck.run(root: root, configuration: $0) },
            fixPath: fixPath?.text,
            corrections: halt.map { correctionsWaiting(for: $0, inbox: inbox, root: root) } ?? [])
    }

    /// Loose inbox files that `validate --retry` takes as a corrected drop of the halted hand-dropped batch.
    static func correctionsWaiting(for halt: HaltRecord, inbox: [String], root: PipelineRoot) -> [String] {
        guard let refused = halt.refusedHandDropFiles(in: root) else { return [] }
        return inbox.filter { refused.contains($0) }
    }

    /// The way out of a halt that works for this batch.
    static func fixPath(
        for halt: HaltRecord, root: PipelineRoot, configuration: PipelineConfiguration?
    ) -> (text: String, fromSource: Bool) {
        let folder = root.locateBatch(halt.batchId)
        let export = folder.flatMap { StageManifest.read(.export, in: $0) }?.export
        let exported = export.map { $0.repost == nil && !$0.forced } ?? false
        let discard =
            exported
            ? "or take it out: `flexyvisma discard \(halt.batchId) --reason \"…\"` (its days and records go back to the next export; `--abandon` leaves its days out on purpose)"
            : "or take it out: `flexyvisma discard \(halt.batchId) --reason \"…\"`"
        let beforeUpload = halt.stage == .validate || halt.stage == .transform
        if beforeUpload, exported, configuration?.source != nil {
            return (
                "correct it in FlexyBox: the next night (or `flexyvisma retry`) exports this batch's days and records again and replaces it. If the fix is in the configuration instead, correct it and run `flexyvisma retry`; \(discard)",
                true
            )
        }
        if beforeUpload {
            return (
                halt.stage == .validate
                    ? "drop the corrected file(s) into inbox/ under the same name(s): the next night (or `flexyvisma retry`) takes them with this batch's other files as a new batch that replaces it. If the fix is in the configuration, correct it and run `flexyvisma retry`; \(discard)"
                    : "correct the configuration and run `flexyvisma retry`; \(discard)",
                false
            )
        }
        return (
            "correct it in Visma (or the configuration), then `flexyvisma retry` sends what is not done yet; \(discard)",
            false
        )
    }

    /// "configuration fault (exit 78): …" for a failed manifest whose cause was not the batch's data.
    static func fault(of manifest: StageManifest) -> String? {
        guard manifest.status == .failed, let exit = manifest.exitStatus else { return nil }
        let kind: String
        switch exit {
        case .configuration: kind = "configuration fault"
        case .temporaryFailure: kind = "temporary fault"
        case .internalError: kind = "internal error"
        default: return nil
        }
        let why = manifest.warnings.first.map { ": \($0.message)\($0.hint.map { " — \($0)" } ?? "")" } ?? ""
        return "\(kind) (exit \(exit.rawValue))\(why)"
    }

    /// Plain lines for a bookkeeper.
    public var text: String {
        var lines: [String] = []
        if let halt {
            lines.append("HALTED: batch \(halt.batchId) was refused at \(halt.stage.rawValue) (\(halt.at)).")
            if let first = halt.first {
                var position = first.file ?? ""
                if let line = first.line { position += ":\(line)" }
                // Visma's multi-line refusals keep their lines, indented under the first.
                let message = first.message.replacingOccurrences(of: "\n", with: "\n    ")
                lines.append(
                    "  \(first.record.map { "record \($0): " } ?? "")\(message)\(position.isEmpty ? "" : "  [\(position)]")"
                )
                if let hint = first.hint { lines.append("  What to do: \(hint)") }
            }
            if halt.rejections > 1 {
                lines.append("  \(halt.rejections) findings in all: \(halt.report ?? "see the batch's report")")
            }
            if let fixPath { lines.append("  How to go on: \(fixPath)") }
            if halt.stage == .upload {
                lines.append("  To check the Visma company against the configuration: flexyvisma doctor --root \(root)")
            }
        } else if interrupted.isEmpty && faults.isEmpty {
            lines.append("Running normally: not halted.")
        } else {
            lines.append("Not halted, but:")
        }
        for line in interrupted { lines.append("INTERRUPTED: \(line).") }
        for line in faults { lines.append("FAULT: \(line)") }
        if queue.isEmpty && inbox.isEmpty {
            lines.append("Queue: empty.")
        } else {
            lines.append("Queue:")
            for batch in queue { lines.append("  \(batch.batchId)  \(batch.state)") }
            for name in inbox {
                let correction =
                    corrections.contains(name)
                    ? halt.map {
                        "a correction of batch \($0.batchId): taken in its place at the next night or `flexyvisma retry`"
                    } : nil
                lines.append("  inbox/\(name)  \(correction ?? "waiting to be picked up")")
            }
        }
        if !waiting.isEmpty {
            lines.append("Waiting for Visma:")
            for line in waiting { lines.append("  \(line)") }
        }
        if let days { lines += days.lines }
        if let lastRun {
            lines.append("Last run: \(lastRun.finishedAt), exit \(lastRun.exitStatus): \(lastRun.summary)")
            lines.append("Last successful run: \(lastRun.lastSuccessAt ?? "never")")
        } else {
            lines.append("Last run: none yet.")
        }
        lines.append("Next night: \(nextNight).")
        return lines.joined(separator: "\n")
    }
}

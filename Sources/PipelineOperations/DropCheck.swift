import FlexyVismaCore
import Foundation

/// `flexyvisma check-drop`: a hand drop checked within seconds of arriving, not at night (the inbox watcher's command).
///
/// It waits until nothing in the inbox changed within the settle time, then, holding the night's lock
/// (`state/run.lock`), runs the real validate stage as a child process on the oldest drop and sends the
/// outcome — the findings, or that the drop is queued — to the notification command. It never transforms
/// or uploads: what it accepts goes to Visma with the next night. Exit: 0 checked and accepted, nothing to
/// check, or left to the night; 65 the drop was rejected; 69 queued behind a halt; else validate's status.
public struct DropCheck {
    public let root: PipelineRoot
    public let configuration: PipelineConfiguration
    public let stages: StageInvoker
    /// How long to wait for a night (or a retry) that holds the root before leaving the drop to it.
    public let lockWaitSeconds: Int
    /// Upper bound on waiting for a drop that keeps changing; the pickup still leaves an unsettled file alone.
    public let settleWaitLimitSeconds: Int

    public init(
        root: PipelineRoot, configuration: PipelineConfiguration, executables: URL, lockWaitSeconds: Int = 30,
        settleWaitLimitSeconds: Int = 300, runId: String = RunLogging.makeRunId()
    ) {
        self.root = root
        self.configuration = configuration
        self.stages = StageInvoker(folder: executables, root: root, runId: runId)
        self.lockWaitSeconds = lockWaitSeconds
        self.settleWaitLimitSeconds = settleWaitLimitSeconds
    }

    /// What the check found, said to the person who dropped the file.
    struct Outcome {
        var exitStatus: ExitStatus
        var message: String
        /// Sent to the notification command under this `FLEXYVISMA_EVENT`; nil: printed only.
        var event: String?
        var report: URL?
    }

    public func run() throws -> ExitStatus {
        guard waitUntilSettled() else {
            print("check-drop: nothing in \(root.inbox.path) to check")
            return .success
        }
        guard let lock = try lockWaitingBriefly() else {
            print(
                "check-drop: \(lockHolder()) holds \(root.url.path); the drop is left to it (the night validates every drop in the inbox)"
            )
            return .success
        }
        defer { withExtendedLifetime(lock) {} }
        let outcome = try check()
        print("check-drop: \(outcome.message)")
        if let event = outcome.event { notify(outcome, event: event) }
        return outcome.exitStatus
    }

    /// Waits while something in the inbox changed within the settle time; false when there is nothing to check.
    func waitUntilSettled() -> Bool {
        let settle = Double(configuration.pipeline.settleSeconds)
        let limit = Date().addingTimeInterval(Double(settleWaitLimitSeconds))
        while true {
            let survey = InboxEntry.survey(root)
            guard !survey.names.isEmpty else { return false }
            guard let age = survey.youngestAge, age < settle, Date() < limit else { return true }
            // A writer that keeps writing keeps moving the time; a clock step backwards is waited out once.
            usleep(useconds_t(min(max(settle - max(age, 0), 0.05), settle) * 1_000_000) + 50_000)
        }
    }

    /// The root lock the night takes, waited for up to `lockWaitSeconds`; nil when it stays held.
    func lockWaitingBriefly() throws -> FileLock? {
        let url = root.state.appendingPathComponent("run.lock")
        let deadline = Date().addingTimeInterval(Double(lockWaitSeconds))
        while true {
            do {
                return try FileLock.acquire(url, purpose: "flexyvisma check-drop since \(Timestamp.iso8601(Date()))")
            } catch is LockHeld {
                guard Date() < deadline else { return nil }
                usleep(250_000)
            }
        }
    }

    private func lockHolder() -> String {
        let text =
            (try? String(contentsOf: root.state.appendingPathComponent("run.lock"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return text.isEmpty ? "another FlexyVisma run" : TerminalText.escaped(String(text.prefix(200)))
    }

    /// Under the root lock: queued behind a halt, or validated.
    func check() throws -> Outcome {
        if let halt = try HaltRecord.current(in: root) {
            let loose = Set(InboxEntry.survey(root).names)
            guard let refused = halt.refusedHandDropFiles(in: root), !refused.isDisjoint(with: loose) else {
                return Outcome(
                    exitStatus: .haltedEarlier,
                    message:
                        "the drop in inbox/ (\(Self.list(loose))) is queued behind the halt and was not validated: "
                        + DropCheckReport.oneLine(halt.haltedMessage(in: root), limit: 1200),
                    event: "drop-queued")
            }
            // A corrected file under a refused name: validate's retry takes it in place of the halted batch.
            return try validate(["--retry"])
        }
        return try validate([])
    }

    private func validate(_ arguments: [String]) throws -> Outcome {
        let started = Date()
        let result = try stages.run("validate", arguments)
        let status = ExitStatus(rawValue: result.status) ?? .internalError
        if let manifest = result.manifest, manifest.stage == .validate {
            return DropCheckReport.validated(manifest, status: status, root: root)
        }
        if status == .success {
            return DropCheckReport.notValidated(root: root)
        }
        if status == .dataRejected {
            return DropCheckReport.rejectedDrops(root: root, since: started)
        }
        return Outcome(
            exitStatus: status,
            message:
                "the drop in inbox/ could not be checked now (validate stopped with exit \(result.status)); it stays there for the night",
            event: "drop-checked")
    }

    private func notify(_ outcome: Outcome, event: String) {
        guard let command = configuration.notifications.command, !command.isEmpty else { return }
        do {
            let status = try PipelineStatus.read(root: root, configuration: configuration)
            let halted = try HaltRecord.current(in: root) != nil
            let summary = "FlexyVisma inbox check: " + outcome.message
            let notice = Notifier.Event(
                summary: summary, root: root, exitStatus: outcome.exitStatus.rawValue, halted: halted, kind: event,
                report: outcome.report)
            Notifier.send(
                command: command, event: notice, status: status,
                timeLimitSeconds: configuration.notifications.effectiveTimeLimitSeconds)
            // A halt this check caused was told now, with its findings: the night does not tell it again.
            if let halt = try HaltRecord.current(in: root), var record = try RunRecord.load(from: root) {
                record.notifiedHalt = RunRecord.identity(of: halt)
                try record.save(in: root)
            }
        } catch {
            StandardStream.error("flexyvisma: warning: the drop check could not read the status to notify: \(error)\n")
        }
    }

    static func list(_ names: Set<String>) -> String {
        let sorted = names.sorted()
        let shown = sorted.prefix(5).map { TerminalText.escaped(String($0.prefix(120))) }.joined(separator: ", ")
        return sorted.count > 5 ? "\(shown), … \(sorted.count) entries" : shown
    }
}

/// The sentences a drop check sends: what validation found, or why nothing was validated.
enum DropCheckReport {
    /// Findings shown in the notification itself; the rest are in the report.
    static let findingsShown = 5

    static func validated(_ manifest: StageManifest, status: ExitStatus, root: PipelineRoot) -> DropCheck.Outcome {
        let batch = manifest.batchId
        let report = root.batchFolder(batch).appendingPathComponent("report.txt")
        let relative = "batches/\(batch)/report.txt"
        guard manifest.status == .accepted else {
            let findings = manifest.rejections.prefix(findingsShown).map { oneLine($0.reportLine()) }
            let shown = manifest.rejections.count > findingsShown ? "the first \(findingsShown)" : "the finding(s)"
            let message =
                "batch \(batch) from the drop was REJECTED with \(manifest.rejections.count) finding(s), nothing was sent; \(shown): "
                + findings.joined(separator: " | ")
                + ". Report: \(relative). Drop the corrected file(s) into inbox/ under the same name(s)."
            return DropCheck.Outcome(
                exitStatus: status == .success ? .dataRejected : status, message: message, event: "drop-checked",
                report: report)
        }
        let counted = manifest.counts.sorted { $0.key < $1.key }.map { "\($0.value) \(oneLine($0.key))" }.joined(
            separator: ", ")
        let warned =
            manifest.warnings.isEmpty
            ? ""
            : "; \(manifest.warnings.count) warning(s), first: \(oneLine(manifest.warnings[0].reportLine(severity: "warning")))"
        let message =
            "batch \(batch) from the drop was accepted (\(counted.isEmpty ? "no records" : counted))\(warned); "
            + "it goes to Visma with the next night (or `flexyvisma run` now). Report: \(relative)"
        return DropCheck.Outcome(exitStatus: status, message: message, event: "drop-checked", report: report)
    }

    /// Validate had nothing to take: the drop is still settling, or waits behind a batch not yet uploaded.
    static func notValidated(root: PipelineRoot) -> DropCheck.Outcome {
        if let waiting = root.batchesInProgress().first {
            return DropCheck.Outcome(
                exitStatus: .success,
                message:
                    "the drop in inbox/ is queued behind batch \(waiting), which is validated but not yet in Visma; the next night takes both in order",
                event: "drop-queued")
        }
        return DropCheck.Outcome(
            exitStatus: .success,
            message: "nothing ready to validate: the drop is still being written; its next change or the night takes it"
        )
    }

    /// Validate moved unrecognised drops to `rejected/`: their reasons, from the `.why.txt` files it wrote.
    static func rejectedDrops(root: PipelineRoot, since: Date) -> DropCheck.Outcome {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root.rejected.path)) ?? []).filter {
            $0.hasSuffix(".why.txt")
        }.sorted()
        var reasons: [String] = []
        for name in names {
            let url = root.rejected.appendingPathComponent(name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                attributes[.type] as? FileAttributeType == .typeRegular,
                let modified = attributes[.modificationDate] as? Date, modified >= since.addingTimeInterval(-1),
                let handle = try? FileHandle(forReadingFrom: url)
            else { continue }
            defer { try? handle.close() }
            let text = String(decoding: (try? handle.read(upToCount: 2048)) ?? Data(), as: UTF8.self)
            // The pickup's own reasons only: a dropped file that happened to be named *.why.txt is not one.
            if text.contains(": inbox/"), text.contains(" was not taken: ") { reasons.append(oneLine(text)) }
        }
        let told = reasons.prefix(findingsShown).joined(separator: " | ")
        return DropCheck.Outcome(
            exitStatus: .dataRejected,
            message:
                "the drop was not taken: \(reasons.isEmpty ? "unrecognised entries were moved to rejected/" : told) (see \(root.rejected.path))",
            event: "drop-checked")
    }

    /// One line of at most `limit` characters, safe for a terminal and a chat message: a finding quotes what was dropped.
    static func oneLine(_ text: String, limit: Int = 400) -> String {
        let flat = TerminalText.escaped(text.trimmingCharacters(in: .whitespacesAndNewlines)).replacingOccurrences(
            of: "\n", with: " ")
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }
}

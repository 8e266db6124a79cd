import FlexyVismaCore
import Foundation
import Logging

/// `flexyvisma run`: export, then every ready batch oldest first through validate → transform →
/// upload as child processes, archiving each finished batch. One run per root at a time.
public struct NightlyRun {
    public let root: PipelineRoot
    public let configuration: PipelineConfiguration
    public let stages: StageInvoker
    public let day: BusinessDay?
    /// `retry`: only when halted, and starting with the halted stage.
    public let requireHalt: Bool
    private let logger = Logger(label: "flexyvisma-run")

    public init(
        root: PipelineRoot, configuration: PipelineConfiguration, executables: URL, day: BusinessDay? = nil,
        requireHalt: Bool = false,
        runId: String = RunLogging.makeRunId()
    ) {
        self.root = root
        self.configuration = configuration
        self.stages = StageInvoker(folder: executables, root: root, runId: runId)
        self.day = day
        self.requireHalt = requireHalt
    }

    public func run() throws -> ExitStatus {
        let lock = try FileLock.acquire(
            root.state.appendingPathComponent("run.lock"), purpose: "flexyvisma run since \(Timestamp.iso8601(Date()))")
        defer { withExtendedLifetime(lock) {} }
        let startedAt = Date()
        var (status, summary) = try work()
        var missingDays: String?
        let days = try DayCheck.run(root: root, configuration: configuration)
        if let days, !days.unaccounted.isEmpty {
            // The books have a hole the pipeline did not account for: never a quiet success.
            let missing =
                "\(days.unaccounted.count) department day(s) with sales are neither booked, waiting, halted nor abandoned: "
                + days.unaccounted.prefix(5).joined(separator: ", ") + (days.unaccounted.count > 5 ? ", …" : "")
            summary += "; " + missing
            missingDays = missing
            if status == 0 { status = ExitStatus.internalError.rawValue }
        }
        try finish(status: status, summary: summary, startedAt: startedAt, days: days, missingDays: missingDays)
        return ExitStatus(rawValue: status) ?? .internalError
    }

    private func work() throws -> (Int32, String) {
        var halt = try HaltRecord.current(in: root)
        if requireHalt, halt == nil {
            return (ExitStatus.usage.rawValue, "nothing to retry: the pipeline is not halted")
        }
        // A batch from FlexyBox refused before upload is fixed in FlexyBox: the export takes it again
        // when its source changed (and then lifts the halt), on a retry too.
        let refusedBeforeUpload = halt.map { $0.stage == .validate || $0.stage == .transform } ?? false
        if configuration.source != nil, !requireHalt || refusedBeforeUpload {
            let export = try stages.run("export", day.map { ["--day", $0.text] } ?? [])
            if export.status != 0 { return (export.status, "export stopped with exit \(export.status)") }
            halt = try HaltRecord.current(in: root)
        }
        if let halt {
            logger.notice("halted at \(halt.stage.rawValue) on batch \(halt.batchId): retrying it first")
            let retried = try stages.run(halt.stage.rawValue, ["--retry"])
            if retried.status != 0 {
                return (
                    retried.status,
                    "still halted: batch \(halt.batchId) at \(halt.stage.rawValue)\(halt.first.map { ": \($0.message)" } ?? "")"
                )
            }
        }
        var cycles = 0
        var archived: [BatchID] = []
        while cycles < 10_000 {
            cycles += 1
            var busy = false
            for stage in ["validate", "transform", "upload"] {
                let result = try stages.run(stage)
                if result.status != 0 {
                    archived += try BatchArchive.archiveFinished(in: root)
                    let halt = try HaltRecord.current(in: root)
                    let reason =
                        halt?.first?.message ?? result.manifest?.rejections.first?.message ?? result.manifest?.warnings
                        .first?.message
                        ?? "see its messages above"
                    let kind =
                        result.status == ExitStatus.configuration.rawValue
                        ? " (configuration fault)"
                        : result.status == ExitStatus.temporaryFailure.rawValue ? " (temporary fault)" : ""
                    return (result.status, "\(stage) stopped with exit \(result.status)\(kind): \(reason)")
                }
                busy = busy || !result.idle
            }
            // A batch finished or replaced this cycle may have held the stages back: go round again.
            let finished = try BatchArchive.archiveFinished(in: root)
            archived += finished
            if !busy && finished.isEmpty { break }
        }
        return (
            0,
            archived.isEmpty
                ? "nothing to do"
                : "\(archived.count) batch(es) done and archived: \(archived.map(\.rawValue).joined(separator: ", "))"
        )
    }

    /// Records the run, rewrites the metrics file and tells a person when something needs one.
    private func finish(status: Int32, summary: String, startedAt: Date, days: DayCheck?, missingDays: String?) throws {
        let previous = try RunRecord.load(from: root)
        let now = Date()
        var record = RunRecord(
            startedAt: Timestamp.iso8601(startedAt), finishedAt: Timestamp.iso8601(now), exitStatus: status,
            summary: summary,
            durationSeconds: (now.timeIntervalSince(startedAt) * 1000).rounded() / 1000,
            lastSuccessAt: status == 0 ? Timestamp.iso8601(now) : previous?.lastSuccessAt,
            consecutiveTemporaryFailures: status == ExitStatus.temporaryFailure.rawValue
                ? (previous?.consecutiveTemporaryFailures ?? 0) + 1 : 0,
            notifiedHalt: previous?.notifiedHalt,
            notifiedFailureStreak: status == ExitStatus.temporaryFailure.rawValue
                && (previous?.notifiedFailureStreak ?? false),
            recordsByKind: try recordsSent(since: startedAt))
        let halt = try HaltRecord.current(in: root)
        var notify: String?
        if let halt {
            // The same halt retried every night is still the same halt: tell it once.
            let identity = RunRecord.identity(of: halt)
            if record.notifiedHalt != identity || configuration.notifications.repeatsWhileHalted {
                let fix = PipelineStatus.fixPath(for: halt, root: root, configuration: configuration).text
                notify =
                    "FlexyVisma halted: batch \(halt.batchId) at \(halt.stage.rawValue): \(halt.first?.message ?? "see the report"). How to go on: \(fix)"
                record.notifiedHalt = identity
            }
        } else {
            record.notifiedHalt = nil
        }
        if let missingDays { notify = "FlexyVisma found business days missing from the books: \(missingDays)" }
        if status == ExitStatus.configuration.rawValue {
            // Not the data's fault and not passing by itself: a person must correct the configuration.
            notify = "FlexyVisma needs its configuration corrected (exit 78, nothing was sent): \(summary)"
        }
        if record.consecutiveTemporaryFailures >= 2, !record.notifiedFailureStreak {
            notify = "FlexyVisma failed \(record.consecutiveTemporaryFailures) runs in a row (temporary): \(summary)"
            record.notifiedFailureStreak = true
        }
        try record.save(in: root)
        let status = try PipelineStatus.read(root: root, configuration: configuration, days: days)
        try Metrics.write(status: status, record: record, venue: configuration.venue.name, root: root, to: metricsFile)
        if let notify, let command = configuration.notifications.command, !command.isEmpty {
            let event = Notifier.Event(summary: notify, root: root, exitStatus: record.exitStatus, halted: halt != nil)
            Notifier.send(
                command: command, event: event, status: status,
                timeLimitSeconds: configuration.notifications.effectiveTimeLimitSeconds)
        }
        print("run finished with exit \(record.exitStatus): \(summary)")
    }

    var metricsFile: URL {
        MetricsFile.url(
            configured: configuration.notifications.effectiveMetricsFile, root: root, venue: configuration.venue.name)
    }

    /// Created and updated records of the upload manifests this run wrote.
    private func recordsSent(since start: Date) throws -> [String: Int] {
        var totals: [String: Int] = [:]
        let startText = Timestamp.iso8601(start)
        for folder in BatchLocator.allBatchFolders(in: root) {
            guard let manifest = StageManifest.read(.upload, in: folder), manifest.startedAt >= startText else {
                continue
            }
            for (kind, counts) in manifest.upload?.kinds ?? [:] {
                totals[kind, default: 0] += counts.created + counts.updated
            }
        }
        return totals
    }
}

/// Every batch folder of a root: inbox, batches and the archive.
public enum BatchLocator {
    public static func allBatchFolders(in root: PipelineRoot) -> [URL] {
        var folders: [URL] = []
        for base in [root.inbox, root.batches] {
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []).sorted()
            where BatchID(name) != nil {
                folders.append(base.appendingPathComponent(name, isDirectory: true))
            }
        }
        for year in ((try? FileManager.default.contentsOfDirectory(atPath: root.archive.path)) ?? []).sorted() {
            let yearFolder = root.archive.appendingPathComponent(year)
            for month in ((try? FileManager.default.contentsOfDirectory(atPath: yearFolder.path)) ?? []).sorted() {
                let monthFolder = yearFolder.appendingPathComponent(month)
                for name in ((try? FileManager.default.contentsOfDirectory(atPath: monthFolder.path)) ?? []).sorted()
                where BatchID(name) != nil {
                    folders.append(monthFolder.appendingPathComponent(name, isDirectory: true))
                }
            }
        }
        return folders.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

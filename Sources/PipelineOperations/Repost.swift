import FlexyVismaCore
import Foundation
import Logging

/// `flexyvisma repost`: days already booked, exported again from FlexyBox as it is now and booked as the difference.
///
/// The export marks the batch as a repost (reason, operator, departments); validate then accepts its days although
/// they were sent, and upload books per day journal only what changed (`JournalRepost` in VismaUpload). The batch goes
/// through alone — nothing may wait or be halted — and is archived like any other, so its manifests join the chain.
public struct Repost {
    public let root: PipelineRoot
    public let stages: StageInvoker
    public let first: BusinessDay
    public let last: BusinessDay
    public let departments: [String]
    public let reason: String
    private let logger = Logger(label: "flexyvisma-repost")

    /// At most this many days in one repost: a year and a day.
    public static let maximumDays = 366

    public init(
        root: PipelineRoot, executables: URL, first: BusinessDay, last: BusinessDay, departments: [String],
        reason: String,
        runId: String = RunLogging.makeRunId()
    ) {
        self.root = root
        self.stages = StageInvoker(folder: executables, root: root, runId: runId)
        self.first = first
        self.last = last
        self.departments = departments
        self.reason = reason
    }

    public func run() throws -> ExitStatus {
        if let problem = RepostRequest.problem(reason: reason) { throw OperatorMessage(.usage, problem) }
        let days = BusinessDay.range(from: first, through: last)
        guard !days.isEmpty, days.count <= Self.maximumDays else {
            throw OperatorMessage(
                .usage, "--from \(first) --to \(last): give 1 to \(Self.maximumDays) days, the first not after the last"
            )
        }
        let lock = try FileLock.acquire(
            root.state.appendingPathComponent("run.lock"),
            purpose: "flexyvisma repost since \(Timestamp.iso8601(Date()))")
        defer { withExtendedLifetime(lock) {} }
        try requireEmptyQueue()

        var arguments = ["--day", first.text, "--repost-reason", reason]
        if last != first { arguments += ["--to", last.text] }
        for department in departments { arguments += ["--department", department] }
        let export = try stages.run("export", arguments)
        guard export.status == 0 else { return finish(export.status, "export stopped with exit \(export.status)") }
        guard let batch = export.manifest?.batchId else {
            return finish(0, "nothing was exported for \(first)…\(last)")
        }
        logger.notice("repost batch \(batch) for \(first)…\(last): \(reason)")
        for stage in ["validate", "transform", "upload"] {
            let result = try stages.run(stage)
            if result.status != 0 {
                _ = try BatchArchive.archiveFinished(in: root)
                let halt = try HaltRecord.current(in: root)
                let why =
                    halt?.first?.message ?? result.manifest?.rejections.first?.message ?? result.manifest?.warnings
                    .first?.message ?? "see above"
                return finish(
                    result.status, "repost batch \(batch) stopped at \(stage) (exit \(result.status)): \(why)")
            }
        }
        let archived = try BatchArchive.archiveFinished(in: root)
        return finish(0, "repost batch \(batch) \(archived.contains(batch) ? "done and archived" : "done")")
    }

    /// A repost goes through alone: a halt is resolved first, and what waits is run first.
    private func requireEmptyQueue() throws {
        if let halt = try HaltRecord.current(in: root) {
            throw OperatorMessage(
                .haltedEarlier,
                "the pipeline is halted on batch \(halt.batchId) at \(halt.stage.rawValue): resolve it first (`flexyvisma status` says how), then repost"
            )
        }
        let waiting =
            root.batchesInProgress().map(\.rawValue)
            + ((try? FileManager.default.contentsOfDirectory(atPath: root.inbox.path)) ?? []).filter {
                !$0.hasPrefix(".")
            }
        guard waiting.isEmpty else {
            throw OperatorMessage(
                .usage,
                "\(waiting.count) batch(es) or drop(s) wait (\(waiting.prefix(3).joined(separator: ", "))): run `flexyvisma run` first; a repost goes through alone"
            )
        }
    }

    private func finish(_ status: Int32, _ summary: String) -> ExitStatus {
        // The summary may carry Visma's words: shown, never obeyed by the terminal.
        print(TerminalText.escaped("repost finished with exit \(status): \(summary)"))
        return ExitStatus(rawValue: status) ?? .internalError
    }
}

import Foundation
import Glibc
import Logging

/// `state/<stage>.running.json`: written for the claimed batch before the stage works on it, removed once the run
/// ends with a result (published, or a failure it reported). Found by a later run, it means the process crashed or
/// was killed: the next run says so before it tries again, and after `crashLimit` such ends in a row that moved nothing
/// it halts the batch.
public struct StageRunMarker: VersionedStateFile, Sendable, Equatable {
    public static let schemaVersion = 1
    /// Runs on one batch that ended without a result before the batch is halted (`stage.crashed`, exit 70).
    public static let crashLimit = 2

    public var stage: StageManifest.Stage
    public var batchId: BatchID
    public var runId: String
    public var pid: Int32
    public var startedAt: String
    /// Runs of this stage on this batch in a row that ended without a result and without progress.
    public var earlierCrashes: Int
    /// The stage's progress on the batch when this run began (`StageWork.progress(of:)`): a run that died after
    /// moving it is not a crash loop, so the count starts again.
    public var progress: String?

    public static func file(of stage: StageManifest.Stage, in root: PipelineRoot) -> URL {
        root.state.appendingPathComponent("\(stage.rawValue).running.json")
    }

    public static func read(_ stage: StageManifest.Stage, in root: PipelineRoot) throws -> StageRunMarker? {
        let url = file(of: stage, in: root)
        return try StateFiles.read(StageRunMarker.self, from: url) { error in
            OperatorMessage(.internalError, "\(url.path) is damaged (\(error)); remove it by hand")
        }
    }

    /// Markers left by runs that ended without a result: their process is gone.
    public static func abandoned(in root: PipelineRoot) -> [StageRunMarker] {
        StageManifest.Stage.allCases.compactMap { try? read($0, in: root) }.filter { !$0.processIsAlive }
    }

    /// True while the process that wrote the marker still runs (a run under way, not a crash).
    public var processIsAlive: Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// "the previous run of upload on batch X (started …) ended without a result (crash or kill)".
    public var endedWithoutResult: String {
        "the previous run of \(stage.rawValue) on batch \(batchId) (started \(startedAt), run \(runId)) ended without a result (crash or kill)"
    }

    /// Called with the stage's lock held, before `process`: reports a run that died on this stage, and writes the marker
    /// for this one. Throws (exit 70) and halts the batch when its runs died `crashLimit` times in a row without progress.
    static func begin(
        _ stage: StageManifest.Stage, batch: BatchID, runId: String, progress: String?, root: PipelineRoot
    ) throws {
        var crashes = 0
        if let previous = try read(stage, in: root) {
            // The lock is ours: whoever wrote this is gone.
            let stuck = previous.batchId == batch && previous.progress == progress
            crashes = stuck ? previous.earlierCrashes + 1 : (previous.batchId == batch ? 1 : 0)
            Logger(label: "flexyvisma-\(stage.rawValue)").warning("\(previous.endedWithoutResult); trying again")
            if crashes >= crashLimit {
                let finding = Finding(
                    rule: PipelineRule.stageCrashed.id,
                    message: "\(stage.rawValue) ended without a result \(crashes) times on this batch (crash or kill)",
                    hint:
                        "look at logs/ for the last run of \(stage.rawValue); when the cause is fixed, run `flexyvisma-\(stage.rawValue) --retry`"
                )
                try HaltRecord(batchId: batch, stage: stage, rejections: 1, first: finding, report: nil).save(in: root)
                try clear(stage, in: root)
                throw OperatorMessage(
                    .internalError,
                    "batch \(batch) halted: \(stage.rawValue) ended without a result \(crashes) times on it (crash or kill); see `flexyvisma status`"
                )
            }
        }
        let marker = StageRunMarker(
            stage: stage, batchId: batch, runId: runId, pid: getpid(), startedAt: Timestamp.iso8601(Date()),
            earlierCrashes: crashes,
            progress: progress)
        try StateFiles.write(marker, to: file(of: stage, in: root))
    }

    /// Removes the marker: the run ended with a result.
    static func clear(_ stage: StageManifest.Stage, in root: PipelineRoot) throws {
        let url = file(of: stage, in: root)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }
}

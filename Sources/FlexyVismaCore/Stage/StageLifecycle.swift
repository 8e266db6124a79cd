import Foundation

/// The batch a stage works on next, or why it has none.
public enum StageSelection: Sendable {
    case batch(BatchID)
    /// Nothing to do; `exitStatus` is `.success` unless the stage found something to refuse on the way.
    case idle(summary: String, exitStatus: ExitStatus = .success)
}

/// The batch a stage has claimed: the lock is held and an earlier attempt's manifest is set aside.
public struct BatchClaim: Sendable {
    public var batchId: BatchID
    public var folder: URL
    public var startedAt: Date
}

/// What a stage made of one batch: the manifest it drafted and the words for the operator.
public struct StageResult: Sendable {
    /// Status, counts, inputs and outputs as the stage knows them; the lifecycle fills in the rest.
    /// Nil when the stage found nothing to do after all (an export with no new data).
    public var manifest: StageManifest?
    public var summary: String
    /// The process's exit when not a plain consequence of the manifest's status (e.g. 75 for unconfirmed records).
    public var exitStatus: ExitStatus?
    /// Where a bookkeeper reads the rejections, named in the halt record.
    public var report: String?

    public init(manifest: StageManifest?, summary: String, exitStatus: ExitStatus? = nil, report: String? = nil) {
        self.manifest = manifest
        self.summary = summary
        self.exitStatus = exitStatus
        self.report = report
    }

    /// Nothing to do after all: no manifest is published.
    public static func nothing(_ summary: String) -> StageResult { StageResult(manifest: nil, summary: summary) }
}

/// What one run of a stage did, for the command and for `flexyvisma run` (through the manifest).
@dynamicMemberLookup
public struct StageOutcome<Details: Sendable>: Sendable {
    public var exitStatus: ExitStatus
    public var batchId: BatchID?
    /// The manifest as published into the chain; nil when the stage had nothing to do.
    public var manifest: StageManifest?
    public var summary: String
    /// What only this stage knows (validate's report lines, upload's refusal, export's folder).
    public var details: Details

    public init(exitStatus: ExitStatus, batchId: BatchID?, manifest: StageManifest?, summary: String, details: Details)
    {
        self.exitStatus = exitStatus
        self.batchId = batchId
        self.manifest = manifest
        self.summary = summary
        self.details = details
    }

    /// True when the stage worked on a batch (and so published a manifest).
    public var didWork: Bool { manifest != nil }

    public subscript<Value>(dynamicMember keyPath: KeyPath<Details, Value>) -> Value { details[keyPath: keyPath] }
}

/// What one stage does to one batch; `StageLifecycle` does everything around it.
public protocol StageWork {
    /// Stage-specific parts of the outcome.
    associatedtype Details: Sendable
    var stage: StageManifest.Stage { get }
    /// False only for a stage that runs while the pipeline is halted (export feeds the inbox regardless).
    var respectsHalt: Bool { get }
    /// The next batch for this stage, strictly in order, or why there is none.
    func nextBatch() throws -> StageSelection
    /// Where the stage works on a batch (default: `batches/<id>/`).
    func folder(of batch: BatchID, in root: PipelineRoot) -> URL
    /// Called before the halted batch is tried again.
    func prepareRetry(of batch: BatchID) throws
    /// The files `process` will read, as the previous stage's manifest recorded them; nil for a stage that reads none.
    func expectedInputs(of claim: BatchClaim) throws -> ExpectedInputs?
    /// Sets aside the stage's own files of an earlier attempt (its manifest is already set aside as attempt N).
    func setAsideEarlierAttempt(_ attempt: Int, in folder: URL) throws
    /// Writes the manifest into the chain; export overrides it to publish its whole batch folder atomically.
    func publish(_ manifest: StageManifest, claim: BatchClaim, chain: ManifestChain) throws -> StageManifest
    /// Runs after the manifest is in the chain, before the halt is cleared.
    func didPublish(_ manifest: StageManifest, claim: BatchClaim) throws
    /// How far the stage got on a batch (e.g. records done), for telling a crash loop from runs killed while moving on;
    /// nil (the default) when a run either finishes or not.
    func progress(of batch: BatchID) -> String?
    /// The details of a run that had nothing to do.
    func idleDetails() -> Details
    /// The details of a run that worked on a batch.
    func details(of result: StageResult, claim: BatchClaim) -> Details
}

extension StageWork {
    public var respectsHalt: Bool { true }
    public func prepareRetry(of batch: BatchID) throws {}
    public func expectedInputs(of claim: BatchClaim) throws -> ExpectedInputs? { nil }
    public func setAsideEarlierAttempt(_ attempt: Int, in folder: URL) throws {}
    public func folder(of batch: BatchID, in root: PipelineRoot) -> URL { root.batchFolder(batch) }
    public func publish(_ manifest: StageManifest, claim: BatchClaim, chain: ManifestChain) throws -> StageManifest {
        try chain.publish(manifest, in: claim.folder)
    }
    public func didPublish(_ manifest: StageManifest, claim: BatchClaim) throws {}
    public func progress(of batch: BatchID) -> String? { nil }
}

/// A stage whose work on a batch is synchronous (export, transform).
public protocol SynchronousStageWork: StageWork {
    func process(_ claim: BatchClaim) throws -> StageResult
}

/// A stage whose work on a batch awaits the network (validate's reference fetch, upload).
public protocol AsynchronousStageWork: StageWork {
    func process(_ claim: BatchClaim) async throws -> StageResult
}

/// The one life of every stage run (docs/ARCHITECTURE.md, "The stage lifecycle"): take the stage's lock, respect or retry the
/// halt, pick the next batch in order, set an earlier attempt aside, let the stage work, publish
/// its manifest atomically into the hash chain, and halt or clear the halt.
///
/// The outcome reaches `flexyvisma run` through the manifest (its status and exit status), never
/// through printed text. Steps every stage will share belong here, between `claim` and the stage's
/// `process`: checking a batch's inputs against the previous stage's manifest, and superseding a
/// halted batch with a fresh export of the same scope.
public struct StageLifecycle: Sendable {
    public let root: PipelineRoot
    public let runId: String
    /// Work on the halted batch again (the operator fixed its cause).
    public let retry: Bool

    public init(root: PipelineRoot, runId: String, retry: Bool = false) {
        self.root = root
        self.runId = runId
        self.retry = retry
    }

    public func run<Work: SynchronousStageWork>(_ work: Work) throws -> StageOutcome<Work.Details> {
        let lock = try takeLock(for: work.stage)
        defer { withExtendedLifetime(lock) {} }
        switch try claim(for: work) {
        case .idle(let outcome): return outcome
        case .batch(let claim):
            if let refusal = try verifyInputs(of: claim, work: work) {
                return try complete(refusal, claim: claim, work: work)
            }
            try StageRunMarker.begin(
                work.stage, batch: claim.batchId, runId: runId, progress: work.progress(of: claim.batchId), root: root)
            return try withRunMarker(work.stage) { try complete(work.process(claim), claim: claim, work: work) }
        }
    }

    public func run<Work: AsynchronousStageWork>(_ work: Work) async throws -> StageOutcome<Work.Details> {
        let lock = try takeLock(for: work.stage)
        defer { withExtendedLifetime(lock) {} }
        switch try claim(for: work) {
        case .idle(let outcome): return outcome
        case .batch(let claim):
            if let refusal = try verifyInputs(of: claim, work: work) {
                return try complete(refusal, claim: claim, work: work)
            }
            try StageRunMarker.begin(
                work.stage, batch: claim.batchId, runId: runId, progress: work.progress(of: claim.batchId), root: root)
            let result: StageResult
            do {
                result = try await work.process(claim)
            } catch {
                try? StageRunMarker.clear(work.stage, in: root)
                throw error
            }
            return try withRunMarker(work.stage) { try complete(result, claim: claim, work: work) }
        }
    }

    /// Runs `body`, then removes the stage's run marker however it ended short of the process dying: a failure it
    /// reports is a result; only a crash or kill leaves the marker for the next run to find.
    private func withRunMarker<T>(_ stage: StageManifest.Stage, _ body: () throws -> T) throws -> T {
        defer { try? StageRunMarker.clear(stage, in: root) }
        return try body()
    }

    /// The lock file of a stage: one run of a stage per root at a time.
    public static func lockFile(of stage: StageManifest.Stage, in root: PipelineRoot) -> URL {
        root.state.appendingPathComponent("\(stage.rawValue).lock")
    }

    private func takeLock(for stage: StageManifest.Stage) throws -> FileLock {
        try FileLock.acquire(Self.lockFile(of: stage, in: root), purpose: "flexyvisma-\(stage.rawValue) run \(runId)")
    }

    /// A batch to work on, or the outcome of a run that has none.
    private enum Claimed<Details: Sendable> {
        case idle(StageOutcome<Details>)
        case batch(BatchClaim)
    }

    private func claim<Work: StageWork>(for work: Work) throws -> Claimed<Work.Details> {
        let batchId: BatchID
        let halt = work.respectsHalt ? try HaltRecord.current(in: root) : nil
        if let halt {
            guard retry, halt.stage == work.stage else {
                throw OperatorMessage(.haltedEarlier, halt.haltedMessage(in: root))
            }
            batchId = halt.batchId
            try work.prepareRetry(of: batchId)
        } else if retry {
            throw OperatorMessage(.usage, "nothing to retry: the pipeline is not halted")
        } else {
            switch try work.nextBatch() {
            case .batch(let next): batchId = next
            case .idle(let summary, let exitStatus):
                return .idle(
                    StageOutcome(
                        exitStatus: exitStatus, batchId: nil, manifest: nil, summary: summary,
                        details: work.idleDetails()))
            }
        }
        let folder = work.folder(of: batchId, in: root)
        if FileManager.default.fileExists(atPath: folder.path),
            let attempt = try StageManifest.keepAsAttempt(work.stage, in: folder)
        {
            try work.setAsideEarlierAttempt(attempt, in: folder)
        }
        return .batch(BatchClaim(batchId: batchId, folder: folder, startedAt: Date()))
    }

    /// A rejection (`input.changed`, exit 65) when a file the stage would read is not what the stage before it recorded.
    private func verifyInputs<Work: StageWork>(of claim: BatchClaim, work: Work) throws -> StageResult? {
        guard let expected = try work.expectedInputs(of: claim) else { return nil }
        let findings = try InputVerification.check(expected, in: claim.folder)
        guard let first = findings.first else { return nil }
        var manifest = StageManifest(
            stage: work.stage, batchId: claim.batchId, runId: runId, startedAt: claim.startedAt, finishedAt: Date(),
            status: .rejected)
        manifest.inputs = expected.files
        manifest.rejections = findings
        return StageResult(
            manifest: manifest,
            summary: "batch \(claim.batchId) refused before \(work.stage.rawValue) read anything: \(first.message)"
                + (findings.count > 1 ? " (and \(findings.count - 1) more)" : "")
                + ". The pipeline is halted until it is fixed.",
            exitStatus: .dataRejected, report: "batches/\(claim.batchId)/\(manifest.fileName)")
    }

    private func complete<Work: StageWork>(
        _ result: StageResult, claim: BatchClaim, work: Work
    ) throws -> StageOutcome<Work.Details> {
        guard var manifest = result.manifest else {
            return StageOutcome(
                exitStatus: result.exitStatus ?? .success, batchId: nil, manifest: nil, summary: result.summary,
                details: work.idleDetails())
        }
        let exitStatus = result.exitStatus ?? Self.exitStatus(of: manifest.status)
        manifest.exitStatus = exitStatus
        let published = try work.publish(manifest, claim: claim, chain: ManifestChain(root: root))
        try work.didPublish(published, claim: claim)
        switch published.status {
        case .rejected:
            try HaltRecord(
                batchId: claim.batchId, stage: work.stage, rejections: published.rejections.count,
                first: published.rejections.first,
                report: result.report
            ).save(in: root)
        case .accepted:
            if let halt = try HaltRecord.current(in: root), halt.batchId == claim.batchId, halt.stage == work.stage {
                try HaltRecord.clear(in: root)
            }
        case .failed, .skipped:
            break
        }
        return StageOutcome(
            exitStatus: exitStatus, batchId: claim.batchId, manifest: published, summary: result.summary,
            details: work.details(of: result, claim: claim))
    }

    /// The exit that follows from a manifest's status alone.
    public static func exitStatus(of status: StageManifest.Status) -> ExitStatus {
        switch status {
        case .accepted, .skipped: .success
        case .rejected: .dataRejected
        case .failed: .temporaryFailure
        }
    }
}

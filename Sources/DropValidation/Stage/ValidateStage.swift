import DropFormats
import FlexyVismaCore
import Foundation
import Logging

/// What the validate stage was asked to do.
public struct ValidateRequest {
    public var root: PipelineRoot
    public var configuration: PipelineConfiguration
    public var schemas: SchemaDirectory
    /// Validate offline against this saved snapshot instead of asking Visma.
    public var referenceFile: URL?
    /// Validate the halted batch again (after its cause was fixed).
    public var retry: Bool
    public var runId: String
    public var now: Date
    /// Fetches the reference snapshot from Visma (the command passes the libcurl client's fetch).
    public var fetchReference: @Sendable () async throws -> ReferenceSnapshot

    public init(
        root: PipelineRoot, configuration: PipelineConfiguration, schemas: SchemaDirectory, referenceFile: URL? = nil,
        retry: Bool = false, runId: String = RunLogging.makeRunId(), now: Date = Date(),
        fetchReference: @escaping @Sendable () async throws -> ReferenceSnapshot
    ) {
        self.root = root
        self.configuration = configuration
        self.schemas = schemas
        self.referenceFile = referenceFile
        self.retry = retry
        self.runId = runId
        self.now = now
        self.fetchReference = fetchReference
    }
}

/// What only validation knows of its run: the report.
public struct ValidationReport: Sendable {
    /// Report lines, errors first.
    public var reportLines: [String] = []
    public var reportPath: String?

    /// The lines of `report.txt`: errors, then warnings.
    static func lines(errors: [Finding], warnings: [Finding]) -> [String] {
        errors.map { $0.reportLine() } + warnings.map { $0.reportLine(severity: "warning") }
    }
}

/// What validation did.
public typealias ValidateOutcome = StageOutcome<ValidationReport>

/// The validate stage (docs/VALIDATION.md): inbox pickup, every file checked, a positioned report, halt on rejection.
public struct ValidateStage {
    public let request: ValidateRequest

    public init(_ request: ValidateRequest) { self.request = request }

    public func run() async throws -> ValidateOutcome {
        var retry = request.retry
        var replaced: String?
        if retry, let correction = try takeCorrectedDrop() {
            // The halt is lifted with the batch it named: the new batch is validated as the next one in order.
            retry = false
            replaced = correction.note
        }
        let work = ValidateWork(request: request)
        var outcome = try await StageLifecycle(root: request.root, runId: request.runId, retry: retry).run(work)
        if let replaced { outcome.summary = "\(replaced); \(outcome.summary)" }
        if outcome.didWork, !work.rejectedDrops.isEmpty {
            outcome.summary += "; also \(work.rejectedDrops.count) unrecognised drop(s) moved to rejected/"
            if outcome.exitStatus == .success { outcome.exitStatus = .dataRejected }
        }
        return outcome
    }
}

extension ValidateStage {
    /// A corrected hand drop taken in place of the halted batch, under the stage's lock.
    private func takeCorrectedDrop() throws -> (batch: BatchID, note: String)? {
        let lock = try FileLock.acquire(
            StageLifecycle.lockFile(of: .validate, in: request.root),
            purpose: "flexyvisma-validate run \(request.runId)")
        defer { withExtendedLifetime(lock) {} }
        let pickup = InboxPickup(
            root: request.root, settleSeconds: request.configuration.pipeline.settleSeconds, now: request.now)
        return try CorrectedDrop(root: request.root, pickup: pickup, runId: request.runId).replaceHaltedBatch()
    }
}

/// Validation of one batch; a class because the pickup's refusals are told beside the batch's outcome.
private final class ValidateWork: AsynchronousStageWork {
    let request: ValidateRequest
    private let logger = Logger(label: "flexyvisma-validate")
    /// Drops the pickup moved to `rejected/` on the way to the next batch.
    private(set) var rejectedDrops: [(name: String, reason: String)] = []

    init(request: ValidateRequest) { self.request = request }

    var stage: StageManifest.Stage { .validate }
    private var root: PipelineRoot { request.root }

    func nextBatch() throws -> StageSelection {
        if let waiting = unvalidatedBatch() { return .batch(waiting) }
        if let inProgress = unfinishedBatch() {
            // Strictly in order: the next drop is checked against a Visma that already holds this batch.
            return .idle(summary: "nothing to validate until batch \(inProgress) is uploaded")
        }
        let pickup = InboxPickup(
            root: root, settleSeconds: request.configuration.pipeline.settleSeconds, now: request.now)
        // Each refused drop leaves the inbox, so this ends: with a batch taken, or nothing ready.
        while true {
            let scan = try pickup.scan()
            noteRejected(scan.rejected)
            guard let drop = scan.ready else { return idle(scan) }
            switch try pickup.take(drop) {
            case .batch(let batchId):
                logger.info("picked up batch \(batchId)")
                return .batch(batchId)
            case .refused(let name, let reason):
                noteRejected([(name, reason)])
            }
        }
    }

    private func noteRejected(_ drops: [(name: String, reason: String)]) {
        rejectedDrops += drops
        for rejected in drops { logger.error("moved inbox/\(rejected.name) to rejected/: \(rejected.reason)") }
    }

    /// The outcome of a run with nothing ready to validate.
    private func idle(_ scan: InboxPickup.Scan) -> StageSelection {
        guard rejectedDrops.isEmpty else {
            return .idle(
                summary:
                    "\(rejectedDrops.count) unrecognised drop(s) moved to \(root.rejected.path) (see the .why.txt beside each)",
                exitStatus: .dataRejected)
        }
        let waiting =
            scan.waiting.isEmpty
            ? "" : " (\(scan.waiting.count) still settling: \(scan.waiting.joined(separator: ", ")))"
        return .idle(summary: "nothing to validate\(waiting)")
    }

    /// A validated batch in `batches/` whose upload is not accepted (and that was not discarded).
    private func unfinishedBatch() -> BatchID? {
        root.batchesInProgress().first { id in
            let folder = root.batchFolder(id)
            if FileManager.default.fileExists(
                atPath: folder.appendingPathComponent(StageManifest.fileName(of: .discard)).path)
            {
                return false
            }
            guard let upload = StageManifest.read(.upload, in: folder) else { return true }
            return upload.status != .accepted
        }
    }

    /// A batch picked up earlier but not validated (an interrupted run), oldest first.
    private func unvalidatedBatch() -> BatchID? {
        root.batchesInProgress().first { id in
            !FileManager.default.fileExists(
                atPath: root.batchFolder(id).appendingPathComponent(StageManifest.fileName(of: .validate)).path)
        }
    }

    /// A retry keeps the earlier attempt's report and snapshot beside the new ones.
    func setAsideEarlierAttempt(_ attempt: Int, in folder: URL) throws {
        for (name, renamed) in [
            ("report.txt", "report.attempt-\(attempt).txt"), ("reference.json", "reference.attempt-\(attempt).json"),
        ] {
            let url = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) {
                try DurableFiles.rename(url, to: folder.appendingPathComponent(renamed))
            }
        }
    }

    func process(_ claim: BatchClaim) async throws -> StageResult {
        let folder = claim.folder
        let batchId = claim.batchId
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw OperatorMessage(.internalError, "batch \(batchId) is not in \(root.batches.path)")
        }
        let reference: ReferenceSnapshot
        if let file = request.referenceFile {
            reference = try ReferenceSnapshot.load(from: file)
        } else {
            reference = try await request.fetchReference()
        }
        let referenceURL = folder.appendingPathComponent("reference.json")
        try DurableFiles.write(try reference.encoded(), to: referenceURL, permissions: FileModes.sharedFile)
        let history = try ValidationHistory(root: root)
        var context = ValidationContext(
            configuration: request.configuration, reference: reference, history: try history.snapshot())
        context.isRepost = RepostRequest.verified(batch: batchId, folder: folder, root: root) != nil
        let result = try BatchValidator(folder: folder, schemas: request.schemas, context: context).run()
        validated = (result, history)
        let errors = result.findings.errors
        let warnings = result.findings.warnings

        let reportLines = ValidationReport.lines(errors: errors, warnings: warnings)
        let reportURL = folder.appendingPathComponent("report.txt")
        try DurableFiles.write(
            Data((reportLines.joined(separator: "\n") + (reportLines.isEmpty ? "" : "\n")).utf8), to: reportURL,
            permissions: FileModes.sharedFile)

        var manifest = StageManifest(
            stage: .validate, batchId: batchId, runId: request.runId, startedAt: claim.startedAt, finishedAt: Date(),
            status: errors.isEmpty ? .accepted : .rejected)
        let referenceDigest = try DurableFiles.digest(of: referenceURL)
        manifest.inputs = result.inputs + [FileRecord(path: "reference.json", digest: referenceDigest)]
        manifest.outputs = [
            FileRecord(path: "report.txt", digest: try DurableFiles.digest(of: reportURL), fileType: "report")
        ]
        manifest.rejections = errors
        manifest.warnings = warnings
        manifest.counts = result.counts
        manifest.configHash = try request.configuration.hash()
        manifest.referenceSnapshotHash = referenceDigest.sha256

        let relativeReport = "batches/\(batchId)/report.txt"
        guard errors.isEmpty else {
            return StageResult(
                manifest: manifest,
                summary:
                    "batch \(batchId) rejected: \(errors.count) finding(s); nothing was sent. The pipeline is halted until it is fixed. Report: \(relativeReport)",
                report: relativeReport)
        }
        let counted = result.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let warned = warnings.isEmpty ? "" : "; \(warnings.count) warning(s) in \(relativeReport)"
        return StageResult(
            manifest: manifest,
            summary: "batch \(batchId) accepted: \(counted.isEmpty ? "no records" : counted)\(warned)",
            report: relativeReport)
    }

    /// The validator's result of the batch being worked on, and the history it was checked against.
    private var validated: (result: BatchValidation, history: ValidationHistory)?

    /// An accepted batch's keys join the history only once its manifest is in the chain.
    func didPublish(_ manifest: StageManifest, claim: BatchClaim) throws {
        guard manifest.status == .accepted, let (result, history) = validated else { return }
        // A repost books days the original batch carried: they stay recorded under it (a discarded repost forgets nothing).
        let isRepost = RepostRequest.verified(batch: claim.batchId, folder: claim.folder, root: root) != nil
        try history.record(
            batch: claim.batchId, itemKinds: result.itemKinds, kitProducts: result.kitProducts,
            receiptDays: isRepost ? [] : result.receiptDays
        ) { insert in
            // Read again rather than held: a payments file can have a million rows.
            for input in result.inputs where input.fileType == DropFileType.payments.rawValue {
                let reader = try CSVReader(url: claim.folder.appendingPathComponent(input.path))
                guard let column = try reader.next()?.fields.firstIndex(of: "payment_id") else { continue }
                while let row = try reader.next() {
                    if row.fields.count > column, !row.fields[column].isEmpty { try insert(row.fields[column]) }
                }
            }
        }
    }

    func idleDetails() -> ValidationReport { ValidationReport() }
    func details(of result: StageResult, claim: BatchClaim) -> ValidationReport {
        ValidationReport(
            reportLines: result.manifest.map { ValidationReport.lines(errors: $0.rejections, warnings: $0.warnings) }
                ?? [],
            reportPath: result.report)
    }
}

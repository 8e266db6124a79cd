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
    public var fetchReference: () throws -> ReferenceSnapshot

    public init(
        root: PipelineRoot, configuration: PipelineConfiguration, schemas: SchemaDirectory, referenceFile: URL? = nil,
        retry: Bool = false, runId: String = RunLogging.makeRunId(), now: Date = Date(),
        fetchReference: @escaping () throws -> ReferenceSnapshot
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

/// What validation did.
public struct ValidateOutcome: Sendable {
    public var exitStatus: ExitStatus
    public var batchId: BatchID?
    public var manifest: StageManifest?
    public var summary: String
    /// Report lines, errors first.
    public var reportLines: [String]
    public var reportPath: String?
}

/// The validate stage (DESIGN §6): inbox pickup, every file checked, a positioned report, halt on rejection.
public struct ValidateStage {
    public let request: ValidateRequest
    private let logger = Logger(label: "flexyvisma-validate")

    public init(_ request: ValidateRequest) { self.request = request }

    private var root: PipelineRoot { request.root }

    public func run() throws -> ValidateOutcome {
        let lock = try FileLock.acquire(root.state.appendingPathComponent("validate.lock"), purpose: "flexyvisma-validate run \(request.runId)")
        defer { withExtendedLifetime(lock) {} }

        var rejectedDrops: [(name: String, reason: String)] = []
        let batchId: BatchID
        if let halt = try HaltRecord.current(in: root) {
            guard request.retry, halt.stage == .validate else {
                throw OperatorMessage(.haltedEarlier, halt.haltedMessage)
            }
            batchId = halt.batchId
            logger.notice("validating halted batch \(batchId) again")
        } else if request.retry {
            throw OperatorMessage(.usage, "nothing to retry: the pipeline is not halted")
        } else if let waiting = try unvalidatedBatch() {
            batchId = waiting
        } else if let inProgress = try unfinishedBatch() {
            // Strictly in order: the next drop is checked against a Visma that already holds this batch.
            return ValidateOutcome(
                exitStatus: .success, batchId: nil, manifest: nil,
                summary: "nothing to validate until batch \(inProgress) is uploaded", reportLines: [], reportPath: nil)
        } else {
            let pickup = InboxPickup(root: root, settleSeconds: request.configuration.pipeline.settleSeconds, now: request.now)
            let scan = try pickup.scan()
            rejectedDrops = scan.rejected
            for rejected in scan.rejected { logger.error("moved inbox/\(rejected.name) to rejected/: \(rejected.reason)") }
            guard let drop = scan.ready else {
                let waiting = scan.waiting.isEmpty ? "" : " (\(scan.waiting.count) still settling: \(scan.waiting.joined(separator: ", ")))"
                return ValidateOutcome(
                    exitStatus: rejectedDrops.isEmpty ? .success : .dataRejected, batchId: nil, manifest: nil,
                    summary: rejectedDrops.isEmpty
                        ? "nothing to validate\(waiting)"
                        : "\(rejectedDrops.count) unrecognised drop(s) moved to \(root.rejected.path) (see the .why.txt beside each)",
                    reportLines: [], reportPath: nil)
            }
            batchId = try pickup.take(drop)
            logger.info("picked up batch \(batchId)")
        }
        var outcome = try validate(batchId)
        if !rejectedDrops.isEmpty {
            outcome.summary += "; also \(rejectedDrops.count) unrecognised drop(s) moved to rejected/"
            if outcome.exitStatus == .success { outcome.exitStatus = .dataRejected }
        }
        return outcome
    }

    /// A validated batch in `batches/` whose upload is not accepted (and that was not discarded).
    private func unfinishedBatch() throws -> BatchID? {
        root.batchesInProgress().first { id in
            let folder = root.batchFolder(id)
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("discard.manifest.json").path) { return false }
            guard let upload = StageManifest.read(.upload, in: folder) else { return true }
            return upload.status != .accepted
        }
    }

    /// A batch picked up earlier but not validated (an interrupted run), oldest first.
    private func unvalidatedBatch() throws -> BatchID? {
        root.batchesInProgress().first { id in
            !FileManager.default.fileExists(atPath: root.batchFolder(id).appendingPathComponent("validate.manifest.json").path)
        }
    }

    private func validate(_ batchId: BatchID) throws -> ValidateOutcome {
        let startedAt = Date()
        let folder = root.batchFolder(batchId)
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw OperatorMessage(.internalError, "batch \(batchId) is not in \(root.batches.path)")
        }
        try keepEarlierAttempt(in: folder)

        let reference = try request.referenceFile.map(ReferenceSnapshot.load) ?? request.fetchReference()
        let referenceURL = folder.appendingPathComponent("reference.json")
        try DurableFiles.write(try reference.encoded(), to: referenceURL)
        let history = try ValidationHistory(root: root)
        let context = ValidationContext(configuration: request.configuration, reference: reference, history: try history.snapshot())
        let result = try BatchValidator(folder: folder, schemas: request.schemas, context: context).run()
        let errors = result.findings.errors
        let warnings = result.findings.warnings

        let reportLines = errors.map { $0.reportLine() } + warnings.map { $0.reportLine(severity: "warning") }
        let reportURL = folder.appendingPathComponent("report.txt")
        try DurableFiles.write(Data((reportLines.joined(separator: "\n") + (reportLines.isEmpty ? "" : "\n")).utf8), to: reportURL)

        var manifest = StageManifest(
            stage: .validate, batchId: batchId, runId: request.runId, startedAt: startedAt, finishedAt: Date(),
            status: errors.isEmpty ? .accepted : .rejected)
        let referenceDigest = try DurableFiles.digest(of: referenceURL)
        manifest.inputs = result.inputs + [FileRecord(path: "reference.json", digest: referenceDigest)]
        manifest.outputs = [FileRecord(path: "report.txt", digest: try DurableFiles.digest(of: reportURL), fileType: "report")]
        manifest.rejections = errors
        manifest.warnings = warnings
        manifest.counts = result.counts
        manifest.configHash = try request.configuration.hash()
        manifest.referenceSnapshotHash = referenceDigest.sha256

        let written = try ManifestChain(root: root).publish(manifest, in: folder)

        let relativeReport = "batches/\(batchId)/report.txt"
        if errors.isEmpty {
            try history.record(
                batch: batchId, itemKinds: result.itemKinds, kitProducts: result.kitProducts, receiptDays: result.receiptDays
            ) { insert in
                // Read again rather than held: a payments file can have a million rows.
                for input in result.inputs where input.fileType == DropFileType.payments.rawValue {
                    let reader = try CSVReader(url: folder.appendingPathComponent(input.path))
                    guard let column = try reader.next()?.fields.firstIndex(of: "payment_id") else { continue }
                    while let row = try reader.next() {
                        if row.fields.count > column, !row.fields[column].isEmpty { try insert(row.fields[column]) }
                    }
                }
            }
            try HaltRecord.clear(in: root)
            let counted = result.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            let warned = warnings.isEmpty ? "" : "; \(warnings.count) warning(s) in \(relativeReport)"
            return ValidateOutcome(
                exitStatus: .success, batchId: batchId, manifest: written,
                summary: "batch \(batchId) accepted: \(counted.isEmpty ? "no records" : counted)\(warned)", reportLines: reportLines,
                reportPath: relativeReport)
        }
        try HaltRecord(batchId: batchId, stage: .validate, rejections: errors.count, first: errors.first, report: relativeReport).save(in: root)
        return ValidateOutcome(
            exitStatus: .dataRejected, batchId: batchId, manifest: written,
            summary: "batch \(batchId) rejected: \(errors.count) finding(s); nothing was sent. The pipeline is halted until it is fixed. Report: \(relativeReport)",
            reportLines: reportLines, reportPath: relativeReport)
    }

    /// A retry keeps the earlier attempt's manifest, report and snapshot beside the new ones.
    private func keepEarlierAttempt(in folder: URL) throws {
        guard let attempt = try StageManifest.keepAsAttempt(.validate, in: folder) else { return }
        for (name, renamed) in [("report.txt", "report.attempt-\(attempt).txt"), ("reference.json", "reference.attempt-\(attempt).json")] {
            let url = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { try DurableFiles.rename(url, to: folder.appendingPathComponent(renamed)) }
        }
    }
}

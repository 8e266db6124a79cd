import DropFormats
import FlexyVismaCore
import Foundation
import XMLSupport

/// What the transform stage did.
public typealias TransformOutcome = StageOutcome<Void>

/// The transform stage: a validated batch → Visma write DTOs in dependency order (docs/ARCHITECTURE.md, "The stages").
public struct TransformStage: SynchronousStageWork {
    public let root: PipelineRoot
    public let configuration: PipelineConfiguration
    public let runId: String
    /// Transform the batch halted at transform again (its inputs were put back as validate recorded them).
    public let retry: Bool

    public init(
        root: PipelineRoot, configuration: PipelineConfiguration, runId: String = RunLogging.makeRunId(),
        retry: Bool = false
    ) {
        self.root = root
        self.configuration = configuration
        self.runId = runId
        self.retry = retry
    }

    /// Transforms the oldest batch that is validated but not transformed; nothing to do is success.
    public func run() throws -> TransformOutcome {
        try StageLifecycle(root: root, runId: runId, retry: retry).run(self)
    }

    public var stage: StageManifest.Stage { .transform }

    /// The oldest batch with an accepted validation and no transform manifest yet.
    public func nextBatch() throws -> StageSelection {
        for id in root.batchesInProgress() {
            let folder = root.batchFolder(id)
            guard
                !FileManager.default.fileExists(
                    atPath: folder.appendingPathComponent(StageManifest.fileName(of: .transform)).path)
            else { continue }
            // Strictly in order: an unvalidated or rejected batch blocks the ones behind it.
            guard StageManifest.read(.validate, in: folder)?.status == .accepted else { break }
            return .batch(id)
        }
        return .idle(summary: "nothing to transform")
    }

    /// The drop files and `reference.json` as validate recorded them; a drop file added since is refused too.
    public func expectedInputs(of claim: BatchClaim) throws -> ExpectedInputs? {
        guard let validated = StageManifest.read(.validate, in: claim.folder) else { return nil }
        return ExpectedInputs(recordedBy: .validate, files: validated.inputs, watchedFolders: [""]) { name in
            DropFileType(fileName: name) != nil || name == "reference.json"
        }
    }

    public func process(_ claim: BatchClaim) throws -> StageResult {
        let folder = claim.folder
        let reference = try ReferenceSnapshot.load(from: folder.appendingPathComponent("reference.json"))
        let validated = try StageManifest.decode(
            Data(contentsOf: folder.appendingPathComponent(StageManifest.fileName(of: .validate))))
        let builder = PayloadBuilder(configuration: configuration, reference: reference)
        let result = try builder.build(folder: folder, files: validated.inputs.filter { $0.fileType != nil })

        let payloads = folder.appendingPathComponent("payloads", isDirectory: true)
        try? FileManager.default.removeItem(at: payloads)
        // Payloads carry names and addresses: owner-only (docs/SECURITY.md).
        try DurableFiles.makeFolder(payloads, mode: FileModes.privateFolder)
        var outputs: [FileRecord] = []
        for group in PayloadGroup.allCases {
            let records = result.records.filter { $0.group == group }
            guard !records.isEmpty else { continue }
            let url = payloads.appendingPathComponent(group.fileName)
            var data = Data()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for record in records {
                data.append(try encoder.encode(record))
                data.append(0x0A)
            }
            try DurableFiles.write(data, to: url)
            outputs.append(
                FileRecord(
                    path: "payloads/\(group.fileName)", digest: try DurableFiles.digest(of: url), fileType: "payloads",
                    records: records.count))
        }
        try DurableFiles.syncFolder(payloads)
        // Vouchers (bilag): one PDF per day journal, attached by upload with the receipts file (docs/VISMA.md).
        outputs += try VoucherFiles.write(
            result.vouchers, batch: claim.batchId, inputs: validated.inputs, firstSequence: result.records.count + 1,
            batchFolder: folder, repost: RepostRequest.verified(batch: claim.batchId, folder: folder, root: root))

        var manifest = StageManifest(
            stage: .transform, batchId: claim.batchId, runId: runId, startedAt: claim.startedAt, finishedAt: Date(),
            status: .accepted)
        manifest.inputs = validated.inputs
        manifest.outputs = outputs
        manifest.counts = result.counts
        manifest.controlTotals = result.controlTotals
        manifest.configHash = try configuration.hash()
        manifest.referenceSnapshotHash = validated.referenceSnapshotHash
        let counted = result.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return StageResult(
            manifest: manifest,
            summary: "batch \(claim.batchId) transformed: \(counted.isEmpty ? "nothing to send" : counted)")
    }

    public func idleDetails() {}
    public func details(of result: StageResult, claim: BatchClaim) {}
}

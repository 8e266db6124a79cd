import DropFormats
import FlexyVismaCore
import Foundation
import Logging
import XMLSupport

/// What the transform stage did.
public struct TransformOutcome: Sendable {
    public var exitStatus: ExitStatus
    public var batchId: BatchID?
    public var manifest: StageManifest?
    public var summary: String
}

/// The transform stage: a validated batch → Visma write DTOs in dependency order (DESIGN §7).
public struct TransformStage {
    public let root: PipelineRoot
    public let configuration: PipelineConfiguration
    public let runId: String
    private let logger = Logger(label: "flexyvisma-transform")

    public init(root: PipelineRoot, configuration: PipelineConfiguration, runId: String = RunLogging.makeRunId()) {
        self.root = root
        self.configuration = configuration
        self.runId = runId
    }

    /// Transforms the oldest batch that is validated but not transformed; nothing to do is success.
    public func run() throws -> TransformOutcome {
        if let halt = try HaltRecord.current(in: root) { throw OperatorMessage(.haltedEarlier, halt.haltedMessage) }
        guard let batchId = try nextBatch() else {
            return TransformOutcome(exitStatus: .success, batchId: nil, manifest: nil, summary: "nothing to transform")
        }
        let startedAt = Date()
        let folder = root.batchFolder(batchId)
        let reference = try ReferenceSnapshot.load(from: folder.appendingPathComponent("reference.json"))
        let validated = try StageManifest.decode(Data(contentsOf: folder.appendingPathComponent("validate.manifest.json")))
        let builder = PayloadBuilder(configuration: configuration, reference: reference)
        let result = try builder.build(folder: folder, files: validated.inputs.filter { $0.fileType != nil })

        let payloads = folder.appendingPathComponent("payloads", isDirectory: true)
        try? FileManager.default.removeItem(at: payloads)
        try FileManager.default.createDirectory(at: payloads, withIntermediateDirectories: true)
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
            outputs.append(FileRecord(path: "payloads/\(group.fileName)", digest: try DurableFiles.digest(of: url), fileType: "payloads", records: records.count))
        }
        try DurableFiles.syncFolder(payloads)

        var manifest = StageManifest(stage: .transform, batchId: batchId, runId: runId, startedAt: startedAt, finishedAt: Date(), status: .accepted)
        manifest.inputs = validated.inputs
        manifest.outputs = outputs
        manifest.counts = result.counts
        manifest.controlTotals = result.controlTotals
        manifest.configHash = try configuration.hash()
        manifest.referenceSnapshotHash = validated.referenceSnapshotHash
        let written = try ManifestChain(root: root).publish(manifest, in: folder)
        let counted = result.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return TransformOutcome(
            exitStatus: .success, batchId: batchId, manifest: written,
            summary: "batch \(batchId) transformed: \(counted.isEmpty ? "nothing to send" : counted)")
    }

    /// The oldest batch with an accepted validation and no transform manifest yet.
    private func nextBatch() throws -> BatchID? {
        for id in root.batchesInProgress() {
            let folder = root.batchFolder(id)
            guard !FileManager.default.fileExists(atPath: folder.appendingPathComponent("transform.manifest.json").path) else { continue }
            guard let manifest = StageManifest.read(.validate, in: folder) else { return nil }
            // Strictly in order: an unvalidated or rejected batch blocks the ones behind it.
            return manifest.status == .accepted ? id : nil
        }
        return nil
    }
}

import Foundation

/// The pipeline is halted: `state/halt.json` names the batch, the stage and why (docs/ARCHITECTURE.md, "Halt, retry, discard").
///
/// While it exists, nothing behind the halted batch moves; the stage that wrote it can retry the
/// batch once the cause is fixed.
public struct HaltRecord: VersionedStateFile, Sendable, Equatable {
    public static let schemaVersion = 1

    public var batchId: BatchID
    public var stage: StageManifest.Stage
    public var at: String
    public var rejections: Int
    /// The first rejection, so `status` can say what is wrong without opening the report.
    public var first: Finding?
    public var report: String?

    public init(
        batchId: BatchID, stage: StageManifest.Stage, at: Date = Date(), rejections: Int, first: Finding?,
        report: String?
    ) {
        self.batchId = batchId
        self.stage = stage
        self.at = Timestamp.iso8601(at)
        self.rejections = rejections
        self.first = first
        self.report = report
    }

    public static func file(in root: PipelineRoot) -> URL { root.state.appendingPathComponent("halt.json") }

    public static func current(in root: PipelineRoot) throws -> HaltRecord? {
        let url = file(in: root)
        return try StateFiles.read(HaltRecord.self, from: url) { error in
            OperatorMessage(
                .internalError,
                "\(url.path) is damaged (\(error)); look at the newest report in batches/ and remove it by hand")
        }
    }

    public func save(in root: PipelineRoot) throws {
        try StateFiles.write(self, to: HaltRecord.file(in: root))
    }

    public static func clear(in root: PipelineRoot) throws {
        let url = file(in: root)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }

    /// The files validation refused, when this halt is at validate on a hand-dropped batch (one without an
    /// export manifest): a loose drop under one of these names is a correction of it. Nil otherwise.
    public func refusedHandDropFiles(in root: PipelineRoot) -> Set<String>? {
        let folder = root.batchFolder(batchId)
        guard stage == .validate, StageManifest.read(.export, in: folder) == nil,
            let validate = StageManifest.read(.validate, in: folder)
        else { return nil }
        return Set(validate.rejections.compactMap(\.file))
    }

    /// What a stage says when it finds the pipeline halted by an earlier run (exit 69), with the way out
    /// that works for this batch: from FlexyBox, dropped by hand, or at upload.
    public func haltedMessage(in root: PipelineRoot) -> String {
        var text =
            "the pipeline is halted: batch \(batchId) was rejected at \(stage.rawValue) (\(rejections) finding\(rejections == 1 ? "" : "s"))"
        if let first { text += "; first: \(first.message)" }
        if let report { text += "; see \(report)" }
        let exported =
            root.locateBatch(batchId).map {
                FileManager.default.fileExists(
                    atPath: $0.appendingPathComponent(StageManifest.fileName(of: .export)).path)
            } ?? false
        switch stage {
        case .validate where exported, .transform where exported:
            return text
                + ". Correct it in FlexyBox: the next night (or `flexyvisma retry`) exports the batch's days and records again and replaces it; or discard the batch."
        case .validate:
            return text
                + ". Drop the corrected file(s) into inbox/ under the same name(s), then `flexyvisma retry`; or discard the batch."
        default:
            return text + ". Fix the cause, then retry (`flexyvisma retry`), or discard the batch."
        }
    }
}

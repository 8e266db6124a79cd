import FlexyVismaCore
import Foundation

/// What has been exported from this root's source: `state/export.json`.
///
/// The batch being published is recorded as `pending` before its folder is renamed into the
/// inbox; at the next start a pending batch that made it into the pipeline is committed, one that
/// did not is forgotten. So a crash never records a day as exported without its batch, and never
/// exports a published day twice.
struct ExportState: VersionedStateFile, Equatable {
    static let schemaVersion = 1

    /// Which batch carried each exported business day (the latest one, after `--force`).
    var exportedDays: [BusinessDay: BatchID] = [:]
    /// Master data modified up to this UTC instant has been exported.
    var masterDataWatermark: String?
    var pending: Pending?

    struct Pending: Codable, Equatable {
        var batchId: BatchID
        var days: [BusinessDay]
        var masterDataWatermark: String?
    }

    static func file(in root: PipelineRoot) -> URL { root.state.appendingPathComponent("export.json") }

    static func load(from root: PipelineRoot) throws -> ExportState {
        let url = file(in: root)
        return try StateFiles.read(ExportState.self, from: url) { error in
            OperatorMessage(
                .internalError,
                "\(url.path) is damaged (\(error)); restore it from backup, or rebuild it from the export manifests")
        } ?? ExportState()
    }

    func save(to root: PipelineRoot) throws {
        try StateFiles.write(self, to: ExportState.file(in: root))
    }

    var lastExportedDay: BusinessDay? { exportedDays.keys.max() }

    /// Records `pending` as exported.
    mutating func commitPending() {
        guard let pending else { return }
        for day in pending.days { exportedDays[day] = pending.batchId }
        if let watermark = pending.masterDataWatermark { masterDataWatermark = watermark }
        self.pending = nil
    }

    /// Settles a pending batch left by a crash: committed if its folder reached the pipeline.
    mutating func recover(root: PipelineRoot) -> Bool {
        guard let pending else { return false }
        if root.batchExists(pending.batchId) {
            commitPending()
        } else {
            self.pending = nil
        }
        return true
    }
}

extension BusinessDay: CodingKeyRepresentable {
    public var codingKey: any CodingKey { DayKey(stringValue: text) }

    public init?<T: CodingKey>(codingKey: T) {
        self.init(codingKey.stringValue)
    }

    private struct DayKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

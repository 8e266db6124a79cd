import FlexyVismaCore
import Foundation

/// What has been exported from this root's source: `state/export.json`.
///
/// The batch being published is recorded as `pending` before its folder is renamed into the
/// inbox; at the next start a pending batch that made it into the pipeline is committed, one that
/// did not is forgotten. So a crash never records a day as exported without its batch, and never
/// exports a published day twice.
struct ExportState: VersionedStateFile, Equatable {
    /// 2: the to-do list and abandoned days (a version-1 file reads as having neither).
    static let schemaVersion = 2

    /// Which batch carried each exported business day (the latest one, after `--force`).
    var exportedDays: [BusinessDay: BatchID] = [:]
    /// Master data modified up to this UTC instant has been exported.
    var masterDataWatermark: String?
    var pending: Pending?
    /// What discarded batches gave back: exported again by the next export, whatever the watermark says.
    var toDo: ToDo?
    /// Days an operator took out of the books on purpose (`discard --abandon`), with why.
    var abandoned: [BusinessDay: Abandoned]?

    struct Pending: Codable, Equatable {
        var batchId: BatchID
        var days: [BusinessDay]
        var masterDataWatermark: String?
        /// The batches the new one replaces; marked superseded once it is in the inbox.
        var supersedes: [BatchID]? = nil
        /// The to-do list this export took; struck off once it is in the inbox.
        var toDo: ToDo? = nil
    }

    /// Days and master-data records (by drop file type, then key) to export again.
    struct ToDo: Codable, Equatable {
        var days: [BusinessDay: BatchID] = [:]
        var masterData: [String: Set<String>] = [:]

        var isEmpty: Bool { days.isEmpty && masterData.values.allSatisfy(\.isEmpty) }

        mutating func strike(_ taken: ToDo) {
            for day in taken.days.keys { days[day] = nil }
            for (kind, keys) in taken.masterData { masterData[kind]?.subtract(keys) }
            masterData = masterData.filter { !$0.value.isEmpty }
        }
    }

    struct Abandoned: Codable, Equatable {
        var batchId: BatchID
        var reason: String
        var by: String
        var at: String
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

    /// The days a nightly export takes: after the last exported day (or from the source's first day)
    /// through yesterday in the venue's time zone, so a missed night catches up.
    func nightDays(source: SourceDatabase, now: Date, timeZone: TimeZone) throws -> [BusinessDay] {
        let first: BusinessDay
        if let last = lastExportedDay {
            first = last.adding(days: 1)
        } else {
            guard let earliest = try source.earliestBusinessDay() else { return [] }
            first = earliest
        }
        return BusinessDay.range(from: first, through: BusinessDay.yesterday(at: now, in: timeZone))
    }

    /// Records `pending` as exported.
    mutating func commitPending() {
        guard let pending else { return }
        for day in pending.days { exportedDays[day] = pending.batchId }
        if let watermark = pending.masterDataWatermark { masterDataWatermark = watermark }
        if let taken = pending.toDo {
            toDo?.strike(taken)
            if toDo?.isEmpty == true { toDo = nil }
        }
        self.pending = nil
    }

    /// Settles a pending batch left by a crash: committed (after `completing` it) if its folder reached
    /// the pipeline, forgotten if not.
    mutating func recover(root: PipelineRoot, completing: (Pending) throws -> Void) throws -> Bool {
        guard let pending else { return false }
        if root.batchExists(pending.batchId) {
            try completing(pending)
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

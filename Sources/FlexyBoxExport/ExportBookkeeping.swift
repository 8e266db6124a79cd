import FlexyVismaCore
import Foundation
import GRDB

/// What the export has done and still owes, for `discard`, `status` and the nightly day check.
public enum ExportBookkeeping {
    /// The export's view of the business days: exported, still to do, abandoned.
    public struct Days: Sendable {
        public var exported: [BusinessDay: BatchID]
        public var toDo: [BusinessDay: BatchID]
        public var abandoned: [BusinessDay: String]
    }

    public static func days(in root: PipelineRoot) throws -> Days {
        let state = try ExportState.load(from: root)
        return Days(
            exported: state.exportedDays, toDo: state.toDo?.days ?? [:],
            abandoned: (state.abandoned ?? [:]).mapValues { "\($0.reason) (\($0.by), \($0.at), batch \($0.batchId))" })
    }

    /// A discarded batch's business days and master-data records go back on the export's to-do list
    /// (by day and by record, as they are in FlexyBox at the next export), or, with `abandon`, its days
    /// are recorded as left out on purpose. Returns what a bookkeeper should read.
    public static func discarded(
        _ batchId: BatchID, export: ExportDetails, abandon: Bool, reason: String, root: PipelineRoot
    ) throws -> String {
        let lock = try FileLock.acquire(
            StageLifecycle.lockFile(of: .export, in: root), purpose: "flexyvisma discard \(batchId)")
        defer { withExtendedLifetime(lock) {} }
        var state = try ExportState.load(from: root)
        let days = export.businessDays.compactMap(BusinessDay.init).filter { state.exportedDays[$0] == batchId }
        let dayList = days.isEmpty ? "" : " \(days.map(\.text).joined(separator: ", "))"
        if abandon {
            var abandoned = state.abandoned ?? [:]
            let by = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
            for day in days {
                abandoned[day] = ExportState.Abandoned(
                    batchId: batchId, reason: reason, by: by, at: Timestamp.iso8601(Date()))
            }
            state.abandoned = abandoned
            try state.save(to: root)
            return days.isEmpty
                ? "no business day of it is left out"
                : "its business day(s)\(dayList) are recorded as abandoned: they will not be exported again unless exported by hand (`flexyvisma-export --day D --force`)"
        }
        var toDo = state.toDo ?? ExportState.ToDo()
        for day in days { toDo.days[day] = batchId }
        for (kind, keys) in export.masterDataKeys ?? [:] { toDo.masterData[kind, default: []].formUnion(keys) }
        state.toDo = toDo.isEmpty ? nil : toDo
        try state.save(to: root)
        let records = (export.masterDataKeys ?? [:]).values.reduce(0) { $0 + $1.count }
        var text = "the next export takes again, as they are in FlexyBox then, "
        text += days.isEmpty ? "no business day" : "business day(s)\(dayList)"
        text += " and \(records) master-data record(s)"
        if export.masterDataKeys == nil {
            text +=
                " (this batch predates per-record bookkeeping: its master data goes again only when changed in FlexyBox)"
        }
        return text
    }

    /// The departments (by name) that sold on each day from `first` through `last`, read from the source.
    public static func salesDays(
        from first: BusinessDay, through last: BusinessDay, root: PipelineRoot, configuration: PipelineConfiguration
    )
        throws -> Set<DayAndDepartment>
    {
        guard let settings = configuration.source else { return [] }
        let source = try SourceDatabase(url: root.resolve(settings.path))
        return try source.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT r.business_day AS day, coalesce(d.name, r.department) AS department
                    FROM receipts r LEFT JOIN departments d ON d.code = r.department
                    WHERE r.business_day BETWEEN ? AND ?
                    """, arguments: [first.text, last.text])
            return Set(
                rows.compactMap { row in
                    BusinessDay(row["day"] as String? ?? "").map {
                        DayAndDepartment(day: $0, department: row["department"] ?? "")
                    }
                })
        }
    }
}

/// One department's business day: the unit the books are checked in.
public struct DayAndDepartment: Hashable, Sendable, Comparable {
    public var day: BusinessDay
    public var department: String

    public init(day: BusinessDay, department: String) {
        self.day = day
        self.department = department
    }

    public static func < (a: DayAndDepartment, b: DayAndDepartment) -> Bool {
        (a.day, a.department) < (b.day, b.department)
    }
}

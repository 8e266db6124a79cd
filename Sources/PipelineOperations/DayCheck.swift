import FlexyBoxExport
import FlexyVismaCore
import Foundation

/// The nightly check that no business day falls through the floor (issue 14): every day since the
/// first export, of every enabled department, is booked, waiting, halted, abandoned on purpose, or
/// had no sales in FlexyBox — never none of these.
public struct DayCheck: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable {
        case booked, waiting, halted, abandoned, noSales, unaccounted
    }

    /// Department business days per state.
    public var counts: [String: Int] = [:]
    /// Days exported (or due to be) whose batch has not been booked yet.
    public var exportedNotBooked: Int { (counts[State.waiting.rawValue] ?? 0) + (counts[State.halted.rawValue] ?? 0) }
    /// "2026-11-24 Café" for every day that is none of the above: each one is a breach.
    public var unaccounted: [String] = []
    public var abandoned: [String] = []

    /// Nil when the root has no FlexyBox source or nothing was exported yet.
    public static func run(root: PipelineRoot, configuration: PipelineConfiguration) throws -> DayCheck? {
        guard configuration.source != nil else { return nil }
        let export = try ExportBookkeeping.days(in: root)
        guard let first = export.exported.keys.min(), let last = export.exported.keys.max() else { return nil }
        let departments = configuration.departments.filter(\.value.enabled).keys.sorted()
        let sales = try ExportBookkeeping.salesDays(
            from: first, through: last, root: root, configuration: configuration)
        let carried = carriedDays(in: root)
        let halt = try HaltRecord.current(in: root)
        var check = DayCheck()
        for day in BusinessDay.range(from: first, through: last) {
            for department in departments {
                let key = DayAndDepartment(day: day, department: department)
                let state: State
                if export.abandoned[day] != nil {
                    state = .abandoned
                    check.abandoned.append("\(day) \(department): \(export.abandoned[day] ?? "")")
                } else if carried.booked.contains(key) {
                    state = .booked
                } else if let batch = carried.open[key], batch == halt?.batchId {
                    state = .halted
                } else if carried.open[key] != nil || export.toDo[day] != nil {
                    state = .waiting
                } else if !sales.contains(key) {
                    state = .noSales
                } else {
                    state = .unaccounted
                    check.unaccounted.append("\(day) \(department)")
                }
                check.counts[state.rawValue, default: 0] += 1
            }
        }
        return check
    }

    /// The department days each source batch carries: booked (uploaded) or open (anywhere in the queue).
    private static func carriedDays(
        in root: PipelineRoot
    ) -> (booked: Set<DayAndDepartment>, open: [DayAndDepartment: BatchID]) {
        var booked = Set<DayAndDepartment>()
        var open: [DayAndDepartment: BatchID] = [:]
        for folder in BatchLocator.allBatchFolders(in: root) {
            guard let id = BatchID(folder.lastPathComponent), let export = StageManifest.read(.export, in: folder)
            else { continue }
            if FileManager.default.fileExists(
                atPath: folder.appendingPathComponent(StageManifest.fileName(of: .discard)).path)
            {
                continue
            }
            let uploaded = StageManifest.read(.upload, in: folder)?.status == .accepted
            for totals in export.controlTotals?.receiptDays ?? [] {
                guard let day = BusinessDay(totals.businessDay) else { continue }
                let key = DayAndDepartment(day: day, department: totals.department)
                if uploaded { booked.insert(key) } else { open[key] = id }
            }
        }
        return (booked, open)
    }

    /// Lines for `status`.
    public var lines: [String] {
        var parts: [String] = []
        for state in State.allCases where state != .unaccounted {
            guard let count = counts[state.rawValue], count > 0 else { continue }
            let name =
                state == .noSales ? "without sales" : state == .waiting ? "exported, not yet booked" : state.rawValue
            parts.append("\(count) \(name)")
        }
        var lines = [
            "Business days (department days since the first export): "
                + (parts.isEmpty ? "none yet" : parts.joined(separator: ", ")) + "."
        ]
        for line in abandoned { lines.append("  abandoned: \(line)") }
        if !unaccounted.isEmpty {
            lines.append(
                "ATTENTION: \(unaccounted.count) department day(s) with sales are neither booked, waiting, halted nor abandoned: "
                    + unaccounted.prefix(10).joined(separator: ", ") + (unaccounted.count > 10 ? ", …" : "")
                    + ". Export them again (`flexyvisma-export --day D --force`) or record why they are left out.")
        }
        return lines
    }
}

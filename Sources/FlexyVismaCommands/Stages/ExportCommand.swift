import ArgumentParser
import DropFormats
import FlexyBoxExport
import FlexyVismaCore
import Foundation

/// `flexyvisma-export`: FlexyBox source → one batch folder in the inbox.
public struct ExportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "flexyvisma-export",
        abstract: "Export FlexyBox data into a new batch in the inbox.",
        discussion: """
            Master data (items, calculations, customers) is exported when it changed since the last export; \
            documents (receipts, payments, purchase orders) by business day. Without --day, every day after \
            the last exported one through yesterday is exported (the nightly catch-up).

            Exit codes: 0 exported or nothing to export · 64 usage (e.g. day already exported) · \
            65 the source database is not a FlexyBox database · 75 another export is running · 78 configuration.
            """,
        version: "flexyvisma-export \(FlexyVismaVersion.current)")

    @OptionGroup public var options: RootOptions

    @Option(name: .long, help: "Export this business day.")
    public var day: BusinessDay?

    @Flag(name: .long, help: "Export every day after the last exported one through yesterday (the default).")
    public var sinceLast = false

    @Flag(name: .long, help: "Export a day again although an earlier batch carried it (recorded in the manifest).")
    public var force = false

    @Option(name: .long, help: "With --day: export every day from --day through this one.")
    public var to: BusinessDay?

    @Option(
        name: .long,
        help: "Mark the batch as a repost of days already booked, for this reason (used by `flexyvisma repost`).")
    public var repostReason: String?

    @Option(name: .long, help: "With --repost-reason: only this department's receipts (repeatable).")
    public var department: [String] = []

    public init() {}

    public func validate() throws {
        if day != nil, sinceLast { throw ValidationError("give either --day or --since-last, not both") }
        if to != nil, day == nil { throw ValidationError("--to needs --day (the first day)") }
        if let day, let to, to < day { throw ValidationError("--to \(to) is before --day \(day)") }
        if !department.isEmpty, repostReason == nil {
            throw ValidationError("--department is only for a repost (--repost-reason)")
        }
        if let repostReason {
            guard day != nil else { throw ValidationError("a repost names its days: --day D [--to D]") }
            if let problem = RepostRequest.problem(reason: repostReason) { throw ValidationError(problem) }
        }
    }

    /// The days asked for: one, a range, or the catch-up.
    var selection: DaySelection {
        guard let day else { return .sinceLast }
        guard let to else { return .day(day) }
        return .days(BusinessDay.range(from: day, through: to))
    }

    public func run() throws {
        let runId = options.startLogging()
        try options.run("flexyvisma-export") { root, configuration in
            let request = ExportRequest(
                root: root, configuration: configuration, schemas: try SchemaDirectory.locate(),
                selection: selection, force: force, runId: runId,
                repost: repostReason.map {
                    RepostRequest(
                        reason: $0, requestedBy: RepostRequest.operatorName(),
                        departments: department.isEmpty ? nil : department)
                })
            let outcome = try FlexyBoxExporter(request).run()
            print(outcome.summary)
            if let folder = outcome.batchFolder { print(folder.path) }
            return outcome.exitStatus
        }
    }
}

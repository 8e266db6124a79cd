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
            """)

    @OptionGroup public var options: RootOptions

    @Option(name: .long, help: "Export this business day.")
    public var day: BusinessDay?

    @Flag(name: .long, help: "Export every day after the last exported one through yesterday (the default).")
    public var sinceLast = false

    @Flag(name: .long, help: "Export a day again although an earlier batch carried it (recorded in the manifest).")
    public var force = false

    public init() {}

    public func validate() throws {
        if day != nil, sinceLast { throw ValidationError("give either --day or --since-last, not both") }
    }

    public func run() throws {
        let runId = options.startLogging()
        try options.run("flexyvisma-export") { root, configuration in
            let request = ExportRequest(
                root: root, configuration: configuration, schemas: try SchemaDirectory.locate(),
                selection: day.map { .day($0) } ?? .sinceLast, force: force, runId: runId)
            let outcome = try FlexyBoxExporter(request).run()
            print(outcome.summary)
            if let folder = outcome.batchFolder { print(folder.path) }
            return outcome.exitStatus
        }
    }
}

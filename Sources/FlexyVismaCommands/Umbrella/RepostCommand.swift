import ArgumentParser
import FlexyVismaCore
import Foundation
import PipelineOperations

/// `flexyvisma repost`: book again, as the difference, days already sent (logic in `PipelineOperations.Repost`).
struct RepostSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repost",
        abstract: "Export days already booked again from FlexyBox and book only the difference in Visma.",
        discussion: """
            Per day journal: unchanged → nothing booked; not released → updated in place; released → a reversing \
            journal and a corrected one (in the first open period when the day's period is closed). The reason and \
            your user name are recorded in the batch's manifests. Exit codes as for `flexyvisma run`.
            """)

    @OptionGroup var options: RootOptions

    @Option(name: .long, help: "Repost this business day.")
    var day: BusinessDay?

    @Option(name: .long, help: "Repost from this business day (with --to).")
    var from: BusinessDay?

    @Option(name: .long, help: "Repost through this business day (with --from).")
    var to: BusinessDay?

    @Option(name: .long, help: "Only this FlexyBox department's receipts (repeatable).")
    var department: [String] = []

    @Option(name: .long, help: "Why the days are booked again (recorded for the auditor).")
    var reason: String

    func validate() throws {
        switch (day, from, to) {
        case (_?, nil, nil), (nil, _?, _?): break
        default: throw ValidationError("give --day D, or --from D --to D")
        }
        if let problem = RepostRequest.problem(reason: reason) { throw ValidationError(problem) }
    }

    func run() throws {
        let runId = options.startLogging()
        try options.run("flexyvisma repost") { root, _ in
            guard let first = day ?? from, let last = day ?? to else { return .usage }
            return try Repost(
                root: root, executables: UmbrellaDispatch.executableFolder(), first: first, last: last,
                departments: department,
                reason: reason, runId: runId
            ).run()
        }
    }
}

import ArgumentParser
import DropFormats
import DropValidation
import FlexyVismaCore
import Foundation
import PipelineOperations
import VismaAPI

/// `run` and `retry`: one night's work under one run id and one log file.
private func runNight(
    _ program: String, options: RootOptions, root: PipelineRoot? = nil, day: BusinessDay?, requireHalt: Bool
) throws {
    let runId = options.startLogging(root: root)
    try options.run(program, root: root) { root, configuration in
        try NightlyRun(
            root: root, configuration: configuration, executables: UmbrellaDispatch.executableFolder(),
            day: day, requireHalt: requireHalt, runId: runId
        ).run()
    }
}

/// `flexyvisma run`: the nightly run, of one root or of the venues a roots file lists.
struct RunSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract:
            "Export, then take every ready batch oldest first through validate, transform and upload; archive what is done.",
        discussion: """
            When halted, the halted batch is retried first. Exit code: the first stage's that did not succeed (see README). \
            With --roots-file F (one venue root a line, # comments): --index N (else $JOB_COMPLETION_INDEX, as a Kubernetes \
            Indexed Job sets it) runs venue N (from 0) only; without an index every venue's night runs in turn, each as its \
            own process, a line per venue is printed, and the exit code is the worst: 70, 64, 78, 65, 69, 75, 0 from worst to best.
            """)

    @OptionGroup var options: RootOptions

    @Option(name: .long, help: "Export this business day instead of every day since the last export.")
    var day: BusinessDay?

    @Option(
        name: .customLong("roots-file"),
        help: "Run the venues whose roots this file lists, one a line (instead of --root).")
    var rootsFile: String?

    @Option(
        name: .long,
        help: "With --roots-file: run only the venue on this line (0 is the first root; default $JOB_COMPLETION_INDEX)."
    )
    var index: Int?

    func validate() throws {
        if rootsFile != nil, options.rootPath != nil {
            throw ValidationError("give either --root or --roots-file, not both")
        }
        if index != nil, rootsFile == nil { throw ValidationError("--index needs --roots-file") }
    }

    func run() throws {
        guard let rootsFile else {
            return try runNight("flexyvisma run", options: options, day: day, requireHalt: false)
        }
        if let format = options.logFormat { LogFormat.adopt(format) }
        var chosen: PipelineRoot?
        var roots = VenueRoots(roots: [])
        try CommandFailures.report("flexyvisma run") {
            roots = try VenueRoots.load(URL(fileURLWithPath: rootsFile))
            chosen = try roots.root(index: index)
            return .success
        }
        if let chosen {
            return try runNight("flexyvisma run", options: options, root: chosen, day: day, requireHalt: false)
        }
        try CommandFailures.report("flexyvisma run") {
            let umbrella = UmbrellaDispatch.executableFolder().appendingPathComponent("flexyvisma")
            return try FleetRun(roots: roots, umbrella: umbrella, arguments: day.map { ["--day", $0.text] } ?? []).run()
        }
    }
}

/// `flexyvisma retry`: the halted batch again, now, from its failed stage; then the rest of the queue.
struct RetrySubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Retry the halted batch from the stage that refused it, then continue with the queue.")

    @OptionGroup var options: RootOptions

    func run() throws {
        try runNight("flexyvisma retry", options: options, day: nil, requireHalt: true)
    }
}

/// `flexyvisma status`: halted or not, why, the queue, the last run, the next night.
struct StatusSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Where the pipeline stands, in words (or JSON).")

    @OptionGroup var options: RootOptions

    @Flag(name: .long, help: "Print JSON instead of words.")
    var json = false

    func run() throws {
        try options.run("flexyvisma status") { root, configuration in
            let status = try PipelineStatus.read(root: root, configuration: configuration)
            if json {
                StandardStream.output(Array(try CanonicalJSON.encode(status)))
            } else {
                print(TerminalText.escaped(status.text))
            }
            return .success
        }
    }
}

/// `flexyvisma discard <batchId> --reason "…"`.
struct DiscardSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard",
        abstract: "Abandon a batch so the queue moves; recorded in its manifest, files kept in the archive.")

    @OptionGroup var options: RootOptions

    @Argument(help: "The batch id.")
    var batchId: BatchID

    @Option(name: .long, help: "Why (recorded for the auditor).")
    var reason: String

    @Flag(
        name: .long,
        help:
            "Leave the batch's business days out of the books on purpose; without it they are exported again the next night."
    )
    var abandon = false

    func run() throws {
        try options.run("flexyvisma discard") { root, _ in
            print(
                try Discard.run(root: root, batchId: batchId, reason: reason, abandon: abandon) {
                    try ValidationHistory(root: root).forget(batch: $0)
                })
            return .success
        }
    }
}

/// `flexyvisma audit verify|show|find|report`.
struct AuditSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Answer an auditor from the archived manifests.",
        subcommands: [Verify.self, Anchor.self, Show.self, Find.self, Report.self, Reconcile.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every file against its manifest and walk the hash chain.")
        @OptionGroup var options: RootOptions
        @Option(
            name: .customLong("anchor"),
            help: "A head hash from `audit anchor` that the chain must still contain (repeatable).")
        var anchors: [String] = []

        func validate() throws {
            for anchor in anchors where anchor.count != 64 || !anchor.allSatisfy(\.isHexDigit) {
                throw ValidationError(
                    "--anchor '\(TerminalText.escaped(anchor))' is not a SHA-256 hash (64 hex digits) as `audit anchor` prints it"
                )
            }
        }

        func run() throws {
            try options.run("flexyvisma audit verify") { root, _ in
                let result = try AuditVerify.run(root: root, anchors: anchors)
                for problem in result.problems { print("PROBLEM: \(TerminalText.escaped(problem))") }
                if !anchors.isEmpty, result.problems.isEmpty {
                    print(
                        "the chain still contains \(anchors.count == 1 ? "the anchor" : "all \(anchors.count) anchors")"
                    )
                }
                print(
                    "\(result.manifests) manifests, \(result.files) files checked: \(result.problems.isEmpty ? "the archive is intact and the chain is whole" : "\(result.problems.count) problem(s)")"
                )
                return result.problems.isEmpty ? .success : .dataRejected
            }
        }
    }

    struct Anchor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Print the chain's head hash; keep it outside the root (--to FILE, --syslog) and check it later with `audit verify --anchor HASH`."
        )
        @OptionGroup var options: RootOptions
        @Option(name: .customLong("to"), help: "Append the anchor line to this file (outside the root).") var file:
            String?
        @Flag(name: .customLong("syslog"), help: "Send the anchor line to the system log.") var syslog = false

        func run() throws {
            try options.run("flexyvisma audit anchor") { root, _ in
                let anchor = try AuditAnchor.line(root: root)
                if let file { try AuditAnchor.append(anchor.line, to: URL(fileURLWithPath: file), root: root) }
                if syslog { AuditAnchor.syslog(anchor.line) }
                print(anchor.hash)
                return .success
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What each stage did to one batch.")
        @OptionGroup var options: RootOptions
        @Argument(help: "The batch id.") var batchId: BatchID

        func run() throws {
            try options.run("flexyvisma audit show") { root, _ in
                print(TerminalText.escaped(try AuditShow.run(root: root, batchId: batchId)))
                return .success
            }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "One self-contained HTML page: batches over time, counts, control totals, rejections, chain status.")
        @OptionGroup var options: RootOptions
        @Option(name: .long, help: "Write the report here.") var html: String
        @Option(name: .long, help: "First business day.") var from: BusinessDay?
        @Option(name: .long, help: "Last business day.") var to: BusinessDay?

        func run() throws {
            try options.run("flexyvisma audit report") { root, _ in
                let page = try AuditReport.html(root: root, from: from?.text, to: to?.text)
                try DurableFiles.writeAtomically(Data(page.utf8), to: URL(fileURLWithPath: html))
                print("wrote \(html)")
                return .success
            }
        }
    }

    struct Find: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which batches carried a record, and what became of it in Visma.")
        @OptionGroup var options: RootOptions
        @Option(name: .long) var item: String?
        @Option(name: .long) var customer: String?
        @Option(name: .long) var payment: String?
        @Option(name: .customLong("purchase-order")) var purchaseOrder: String?
        @Option(name: .long) var receipt: Int64?

        /// Exactly one key to look for.
        var key: AuditFind.Key? {
            let given: [AuditFind.Key?] = [
                item.map { .item($0) }, customer.map { .customer($0) }, payment.map { .payment($0) },
                purchaseOrder.map { .purchaseOrder($0) }, receipt.map { .receipt($0) },
            ]
            let keys = given.compactMap { $0 }
            return keys.count == 1 ? keys[0] : nil
        }

        func run() throws {
            try options.run("flexyvisma audit find") { root, _ in
                guard let key else {
                    throw ValidationError(
                        "give exactly one of --item, --customer, --payment, --purchase-order, --receipt")
                }
                let answers = try AuditFind.run(root: root, key: key)
                print(answers.isEmpty ? "no batch carried it" : TerminalText.escaped(answers.joined(separator: "\n")))
                return answers.isEmpty ? .dataRejected : .success
            }
        }
    }
}

/// `flexyvisma plan`: the next upload, reviewed before it is sent.
struct PlanSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract:
            "What the next upload would create, update or skip in Visma, per kind, with the records (writes nothing).",
        discussion: """
            With --journals: the debit and credit lines (account, VAT, amount) each day would book, read from the \
            FlexyBox source as it is now — also before the first export — with Visma's periods and VAT accounts read \
            from Visma. Nothing is sent and no watermark moves: what a bookkeeper signs off before the first night.
            """)

    @OptionGroup var options: RootOptions

    @Flag(name: .long, help: "Preview the journals the days would book instead of the next upload.")
    var journals = false

    @Option(
        name: .long, help: "With --journals: from this business day (default: the days the next night would export).")
    var from: BusinessDay?

    @Option(name: .long, help: "With --journals: through this business day.")
    var to: BusinessDay?

    func validate() throws {
        if !journals, from != nil || to != nil { throw ValidationError("--from and --to go with --journals") }
        if (from == nil) != (to == nil) { throw ValidationError("give both --from D and --to D, or neither") }
        if let from, let to, to < from { throw ValidationError("--to \(to.text) is before --from \(from.text)") }
    }

    func run() throws {
        try options.run("flexyvisma plan") { root, configuration in
            guard journals else {
                print(TerminalText.escaped(try UploadPlan.run(root: root).text))
                return .success
            }
            let secret = try ClientSecret.load(for: configuration, root: root)
            let reference = try AsyncBridge.wait {
                try await ReferenceFetcher.fetch(
                    connection: VismaConnection(configuration: configuration, secret: secret))
            }
            let days = from.flatMap { first in to.map { BusinessDay.range(from: first, through: $0) } }
            let plan = try JournalPlan.run(
                root: root, configuration: configuration, schemas: try SchemaDirectory.locate(), reference: reference,
                days: days)
            print(TerminalText.escaped(plan.text))
            return .success
        }
    }
}

/// `flexyvisma archive prune`.
struct ArchiveSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive", abstract: "Retention of the archive.", subcommands: [Prune.self])

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Remove archived batches past retention (default: 5 full years after the financial year, Danish Bookkeeping Act); the chain stays verifiable."
        )
        @OptionGroup var options: RootOptions
        @Option(name: .customLong("older-than"), help: "Like 5y, 18m or 400d, instead of the legal default.")
        var olderThan: RetentionPeriod?
        @Flag(name: .customLong("dry-run"), help: "List what would be removed; remove nothing.") var dryRun = false

        func run() throws {
            try options.run("flexyvisma archive prune") { root, _ in
                let pruned = try ArchivePrune.run(root: root, olderThan: olderThan, dryRun: dryRun)
                for batch in pruned {
                    print(
                        "\(dryRun ? "would prune" : "pruned") \(batch.batchId) (last business day \(TerminalText.escaped(batch.lastBusinessDay ?? "unknown")), \(batch.manifests.count) manifests recorded)"
                    )
                }
                print(
                    pruned.isEmpty
                        ? "nothing to prune"
                        : "\(pruned.count) batch(es)\(dryRun ? " would be" : "") pruned; the prune is recorded on the hash chain in archive/pruned/ (index: archive/pruned.json)"
                )
                return .success
            }
        }
    }
}

import ArgumentParser
import FlexyVismaCore
import Foundation
import PipelineOperations
import Reconciliation

extension AuditSubcommand {
    /// `flexyvisma audit reconcile`.
    struct Reconcile: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Read back from Visma what FlexyVisma booked and compare it with the ledger and the archive (reads only).",
            discussion: """
                Lists journals missing or changed in Visma, journals booked in our name that FlexyVisma did not make, department \
                days whose totals differ from the receipts, and payments missing, voided or changed. \
                Exit codes: 0 Visma agrees · 1 differences (listed, like diff) · 75 Visma cannot be reached · 78 configuration.
                """)

        @OptionGroup var options: RootOptions
        @Option(name: .long, help: "First business day (default: the first FlexyVisma booked).") var from: BusinessDay?
        @Option(name: .long, help: "Last business day (default: the last FlexyVisma booked).") var to: BusinessDay?
        @Option(
            name: .long, help: "Also write the differences here, for Danish Excel (';', decimal comma, UTF-8 with BOM)."
        ) var csv: String?
        @Option(name: .long, help: "Also write the audit HTML report with a reconciliation section here.") var html:
            String?

        func run() throws {
            try options.run("flexyvisma audit reconcile") { root, configuration in
                let secret = try ClientSecret.load(for: configuration, root: root)
                let today = BusinessDay(date: Date(), timeZone: configuration.timeZone).text
                let (from, to) = (from?.text, to?.text)
                let result = try AsyncBridge.wait {
                    try await Reconciliation.run(
                        root: root, configuration: configuration, secret: secret, from: from, to: to, today: today)
                }
                if let csv { try DurableFiles.writeAtomically(result.csv(), to: URL(fileURLWithPath: csv)) }
                if let html {
                    let page = try AuditReport.html(root: root, from: from, to: to, sections: [result.htmlSection])
                    try DurableFiles.writeAtomically(Data(page.utf8), to: URL(fileURLWithPath: html))
                }
                print(TerminalText.escaped(result.text))
                if !result.agrees { throw ExitCode(1) }
                return .success
            }
        }
    }
}

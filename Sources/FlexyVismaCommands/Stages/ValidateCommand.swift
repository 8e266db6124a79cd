import ArgumentParser
import DropFormats
import DropValidation
import FlexyVismaCore
import Foundation
import VismaAPI

/// `flexyvisma-validate`: the oldest ready drop, checked before anything is sent.
public struct ValidateCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "flexyvisma-validate",
        abstract:
            "Take the oldest ready drop from the inbox and check every file against the schemas, the configuration and Visma.",
        discussion: """
            Writes batches/<id>/validate.manifest.json and report.txt (file:line:column: error[rule]: message — hint). \
            Exit codes: 0 accepted or nothing to do · 65 rejected (the pipeline halts) or unrecognised drops moved to rejected/ · \
            69 halted earlier · 75 Visma unreachable · 78 configuration error.
            """,
        version: "flexyvisma-validate \(FlexyVismaVersion.current)")

    @OptionGroup public var options: RootOptions

    @Option(name: .long, help: "Validate against this saved reference snapshot instead of asking Visma.")
    public var reference: String?

    @Flag(name: .long, help: "Validate the halted batch again, after fixing what its report says.")
    public var retry = false

    public init() {}

    public func run() async throws {
        let runId = options.startLogging()
        try await options.run("flexyvisma-validate") { root, configuration in
            let request = ValidateRequest(
                root: root, configuration: configuration, schemas: try SchemaDirectory.locate(),
                referenceFile: reference.map { URL(fileURLWithPath: $0) }, retry: retry, runId: runId,
                fetchReference: {
                    let secret = try ClientSecret.load(for: configuration, root: root)
                    return try await ReferenceFetcher.fetch(
                        connection: VismaConnection(configuration: configuration, secret: secret))
                })
            let outcome = try await ValidateStage(request).run()
            if outcome.exitStatus != .success {
                for line in outcome.reportLines.prefix(30) {
                    let text = TerminalText.escaped(line)
                    DiagnosticLine.write(stage: "flexyvisma-validate", level: "error", message: text, plain: text)
                }
                if outcome.reportLines.count > 30 {
                    let more = "… \(outcome.reportLines.count - 30) more in \(outcome.reportPath ?? "the report")"
                    DiagnosticLine.write(stage: "flexyvisma-validate", level: "error", message: more, plain: more)
                }
            }
            print(outcome.summary)
            return outcome.exitStatus
        }
    }
}

import ArgumentParser
import FlexyVismaCore
import Foundation
import VismaPayloads
import VismaUpload

/// `flexyvisma-transform`: a validated batch → Visma payloads.
public struct TransformCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "flexyvisma-transform",
        abstract: "Turn the oldest validated batch into Visma write DTOs (batches/<id>/payloads/*.jsonl).",
        discussion: """
            Exit codes: 0 done or nothing to do · 65 a drop file or reference.json changed since validate (the pipeline halts) · \
            69 halted earlier · 75 another transform is running, or a file could not be read or written · 78 configuration error.
            """,
        version: "flexyvisma-transform \(FlexyVismaVersion.current)")

    @OptionGroup public var options: RootOptions

    @Flag(name: .long, help: "Transform the halted batch again after putting its files back as validate recorded them.")
    public var retry = false

    public init() {}

    public func run() throws {
        let runId = options.startLogging()
        try options.run("flexyvisma-transform") { root, configuration in
            let outcome = try TransformStage(root: root, configuration: configuration, runId: runId, retry: retry).run()
            if outcome.exitStatus != .success { CommandFailures.printError("flexyvisma-transform", outcome.summary) }
            print(outcome.summary)
            return outcome.exitStatus
        }
    }
}

/// `flexyvisma-upload`: the oldest transformed batch → Visma, each record exactly once.
public struct UploadCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "flexyvisma-upload",
        abstract: "Send the oldest transformed batch to Visma through libcurl, each record exactly once.",
        discussion: """
            Exit codes: 0 uploaded or nothing to do · 65 Visma refused a record (its message verbatim), a payload file changed \
            since transform, or a payload line asks for a request transform never writes (the pipeline halts) · \
            69 halted earlier · 75 Visma unreachable or records unconfirmed (run again later) · 78 configuration error.
            """,
        version: "flexyvisma-upload \(FlexyVismaVersion.current)")

    @OptionGroup public var options: RootOptions

    @Flag(
        name: .long,
        help: "Upload the halted batch again after fixing what Visma refused; done records are never resent.")
    public var retry = false

    public init() {}

    public func run() async throws {
        let runId = options.startLogging()
        try await options.run("flexyvisma-upload") { root, configuration in
            let secret = try ClientSecret.load(for: configuration, root: root)
            let outcome = try await UploadStage(
                root: root, configuration: configuration, secret: secret, retry: retry, runId: runId
            ).run()
            if let rejection = outcome.rejection {
                let who = rejection.rule == UploadRule.rejected.id ? "Visma: " : "[\(rejection.rule)] "
                CommandFailures.printError("flexyvisma-upload", "\(who)\(rejection.message) — \(rejection.hint ?? "")")
            }
            print(outcome.summary)
            return outcome.exitStatus
        }
    }
}

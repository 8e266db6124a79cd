import ArgumentParser
import FlexyVismaCore
import Foundation

/// `flexyvisma config check`.
struct ConfigSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check the configuration.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Load flexyvisma.json as every command does (exit 78 when it is wrong) and print it with the defaults filled in."
        )

        @OptionGroup var options: RootOptions

        func run() throws {
            try options.run("flexyvisma config check") { root, _ in
                StandardStream.output(Array(try PipelineConfiguration.effectiveDocument(root: root)))
                return .success
            }
        }
    }
}

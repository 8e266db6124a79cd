import ArgumentParser
import FlexyVismaCore
import Foundation
import VismaAPI

/// `flexyvisma`: the umbrella over the stage executables.
public struct UmbrellaCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "flexyvisma",
        abstract: "Move a FlexyBox venue's data into Visma.net ERP, checked before anything is sent.",
        discussion: """
            The stages export, validate, transform and upload are separate executables: `flexyvisma <stage> …` \
            runs `flexyvisma-<stage>` installed beside this one with the same arguments. `run` does a whole night. \
            Every command that takes --root also reads the root from $FLEXYVISMA_ROOT, and --log-format from \
            $FLEXYVISMA_LOG_FORMAT.
            """,
        version: "flexyvisma \(FlexyVismaVersion.current)",
        subcommands: stageSubcommands + [
            InitSubcommand.self, RunSubcommand.self, StatusSubcommand.self, RetrySubcommand.self,
            DiscardSubcommand.self,
            AuditSubcommand.self, PlanSubcommand.self, ArchiveSubcommand.self, VersionSubcommand.self,
            ConfigSubcommand.self,
            DoctorSubcommand.self, RepostSubcommand.self, RulesSubcommand.self,
            TemplateSubcommand.self, CheckDropSubcommand.self,
        ])

    /// The stage executables, dispatched before parsing (their help, manual and completions come from here).
    static let stageSubcommands: [any ParsableCommand.Type] = [
        ExportStageSubcommand.self, ValidateStageSubcommand.self, TransformStageSubcommand.self,
        UploadStageSubcommand.self,
    ]

    public init() {}

    /// Dispatches `flexyvisma <stage> …` to `flexyvisma-<stage>`; everything else is parsed here.
    public static func mainWithDispatch(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        let stages = Set(stageSubcommands.map { $0.configuration.commandName ?? "" })
        let builtIns = Set(configuration.subcommands.map { $0.configuration.commandName ?? "" } + ["help"]).subtracting(
            stages)
        if let first = arguments.first, !builtIns.contains(first),
            let stage = UmbrellaDispatch.stageExecutable(named: first)
        {
            UmbrellaDispatch.exec(stage, arguments: Array(arguments.dropFirst()))
        }
        main(arguments)
        Foundation.exit(0)
    }
}

struct InitSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a pipeline root with a working configuration for the sample venue and the local simulator.")

    @Argument(help: "The folder to create the root in (created when missing).")
    var root: String

    @Option(name: .long, help: "Visma API base URL (default: the local simulator).")
    var vismaURL: String = PipelineConfiguration.simulatorDefaultURL

    @Option(name: .long, help: "The FlexyBox source database, absolute or relative to the root.")
    var source: String = "source/flexybox.sqlite"

    func run() throws {
        try CommandFailures.report("flexyvisma init") {
            let pipelineRoot = PipelineRoot(path: root)
            let created = try RootInitializer(root: pipelineRoot, vismaURL: vismaURL, sourcePath: source).run()
            print("initialised \(pipelineRoot.url.path): \(created.joined(separator: ", "))")
            print("source database expected at \(pipelineRoot.resolve(source).path)")
            return .success
        }
    }
}

struct VersionSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the versions of FlexyVisma and the libraries it runs with.")

    func run() {
        let curl = LibcurlRuntime.info
        print("flexyvisma \(FlexyVismaVersion.current)")
        print("libcurl \(curl.version) (\(curl.tlsLibrary ?? "no TLS")\(curl.supportsHTTP2 ? ", HTTP/2" : ""))")
        let stages = UmbrellaDispatch.installedStages()
        print(
            "core dumps: \(ProcessHardening.coreDumpsDisabled ? "disabled" : "ENABLED (ExecutableStartup.harden() was not called)")"
        )
        print("stages: \(stages.isEmpty ? "none installed beside this binary" : stages.joined(separator: ", "))")
    }
}

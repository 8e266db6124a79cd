import ArgumentParser
import FlexyVismaCore

/// `flexyvisma export|validate|transform|upload …`: the stage executables, listed in the umbrella's help,
/// manual and completions with their own options.
///
/// `UmbrellaCommand.mainWithDispatch` hands these names to `flexyvisma-<stage>` before parsing, so
/// `run()` is reached only when that executable is not installed beside `flexyvisma`.
protocol StageSubcommand: ParsableCommand {
    static var stageName: String { get }
}

extension StageSubcommand {
    func run() throws {
        let message =
            "flexyvisma-\(Self.stageName) is not installed beside \(UmbrellaDispatch.executableFolder().path); reinstall FlexyVisma"
        CommandFailures.printError("flexyvisma", message)
        throw ExitCode(ExitStatus.internalError.rawValue)
    }

    static func stageConfiguration(_ stage: CommandConfiguration) -> CommandConfiguration {
        CommandConfiguration(
            commandName: stageName, abstract: stage.abstract,
            discussion: "Runs flexyvisma-\(stageName) with the same arguments. \(stage.discussion)")
    }
}

struct ExportStageSubcommand: StageSubcommand {
    static let stageName = "export"
    static let configuration = stageConfiguration(ExportCommand.configuration)
    @OptionGroup var stage: ExportCommand
}

struct ValidateStageSubcommand: StageSubcommand {
    static let stageName = "validate"
    static let configuration = stageConfiguration(ValidateCommand.configuration)
    @OptionGroup var stage: ValidateCommand
}

struct TransformStageSubcommand: StageSubcommand {
    static let stageName = "transform"
    static let configuration = stageConfiguration(TransformCommand.configuration)
    @OptionGroup var stage: TransformCommand
}

struct UploadStageSubcommand: StageSubcommand {
    static let stageName = "upload"
    static let configuration = stageConfiguration(UploadCommand.configuration)
    @OptionGroup var stage: UploadCommand
}

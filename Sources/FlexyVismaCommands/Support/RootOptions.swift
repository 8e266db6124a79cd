import ArgumentParser
import FlexyVismaCore
import Foundation

/// `--root` (or `FLEXYVISMA_ROOT`) and `--log-format`: what every command but `init` takes.
public struct RootOptions: ParsableArguments {
    /// Where the root comes from when `--root` is not given.
    public static let environmentVariable = "FLEXYVISMA_ROOT"

    @Option(
        name: .customLong("root"),
        help: ArgumentHelp(
            "The pipeline root (made by `flexyvisma init`); default $\(RootOptions.environmentVariable).",
            valueName: "root"))
    public var rootPath: String?

    @Option(
        name: .customLong("log-format"),
        help:
            "Log lines on stderr as 'human' lines or one 'json' object per line (default $\(LogFormat.environmentVariable), else human)."
    )
    public var logFormat: LogFormat?

    public init() {}

    public func validate() throws {
        if logFormat == nil, LogFormat.requested() == nil {
            throw ValidationError("\(LogFormat.environmentVariable) must be 'human' or 'json'")
        }
    }

    /// The root from `--root`, else `$FLEXYVISMA_ROOT`; nil when neither is given.
    public var givenRoot: PipelineRoot? {
        Self.root(option: rootPath, environment: ProcessInfo.processInfo.environment)
    }

    static func root(option: String?, environment: [String: String]) -> PipelineRoot? {
        if let option, !option.isEmpty { return PipelineRoot(path: option) }
        if let path = environment[environmentVariable], !path.isEmpty { return PipelineRoot(path: path) }
        return nil
    }

    /// The root; a usage error naming both ways to give it when neither was.
    public var root: PipelineRoot {
        get throws {
            guard let givenRoot else {
                throw ValidationError("give the pipeline root: --root ROOT, or set \(Self.environmentVariable)")
            }
            return givenRoot
        }
    }

    /// Runs a command's body on the root once its configuration has loaded: every command refuses
    /// a configuration with an unknown key or value (exit 78), also those that only read the root.
    /// `root` given: that root instead of `--root` (a venue from `--roots-file`).
    func run(
        _ program: String, root given: PipelineRoot? = nil,
        _ body: (PipelineRoot, PipelineConfiguration) throws -> ExitStatus
    ) throws {
        if let logFormat { LogFormat.adopt(logFormat) }
        let root = try given ?? root
        try CommandFailures.report(program) { try body(root, try PipelineConfiguration.load(from: root)) }
    }

    func run(_ program: String, _ body: (PipelineRoot, PipelineConfiguration) async throws -> ExitStatus) async throws {
        if let logFormat { LogFormat.adopt(logFormat) }
        let root = try root
        try await CommandFailures.report(program) { try await body(root, try PipelineConfiguration.load(from: root)) }
    }

    /// The run id for this process's logs (inherited from `flexyvisma run` when it started us).
    /// `--log-format` is passed on to the stages this process starts.
    func startLogging(root given: PipelineRoot? = nil) -> String {
        if let logFormat { LogFormat.adopt(logFormat) }
        let runId = RunLogging.makeRunId()
        RunLogging.bootstrap(root: given ?? givenRoot, runId: runId)
        return runId
    }
}

extension LogFormat: ExpressibleByArgument {}

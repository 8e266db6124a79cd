import ArgumentParser
import FlexyVismaCore

/// `--root`: the pipeline root every command but `init` works on.
public struct RootOptions: ParsableArguments {
    @Option(name: .long, help: "The pipeline root (made by `flexyvisma init`).", transform: { PipelineRoot(path: $0) })
    public var root: PipelineRoot

    public init() {}

    /// Runs a command's body on the root once its configuration has loaded: every command refuses
    /// a configuration with an unknown key or value (exit 78), also those that only read the root.
    func run(_ program: String, _ body: (PipelineRoot, PipelineConfiguration) throws -> ExitStatus) throws {
        try CommandFailures.report(program) { try body(root, try PipelineConfiguration.load(from: root)) }
    }

    func run(_ program: String, _ body: (PipelineRoot, PipelineConfiguration) async throws -> ExitStatus) async throws {
        try await CommandFailures.report(program) { try await body(root, try PipelineConfiguration.load(from: root)) }
    }

    /// The run id for this process's logs (inherited from `flexyvisma run` when it started us).
    func startLogging() -> String {
        let runId = RunLogging.makeRunId()
        RunLogging.bootstrap(root: root, runId: runId)
        return runId
    }
}

import ArgumentParser
import FlexyVismaCore

/// `--root`: the pipeline root every command but `init` works on.
public struct RootOptions: ParsableArguments {
    @Option(name: .long, help: "The pipeline root (made by `flexyvisma init`).", transform: { PipelineRoot(path: $0) })
    public var root: PipelineRoot

    public init() {}

    /// The root with its logging set up for one run id (inherited from `flexyvisma run` when it started us).
    public func startLogging() -> (root: PipelineRoot, runId: String) {
        let runId = RunLogging.makeRunId()
        RunLogging.bootstrap(root: root, runId: runId)
        return (root, runId)
    }
}

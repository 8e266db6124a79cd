import FlexyVismaCore
import Foundation

/// Runs a stage executable (`flexyvisma-<stage>`) as a child process, as `run` does.
public struct StageInvoker: Sendable {
    public let folder: URL
    public let root: PipelineRoot
    public let runId: String

    public init(folder: URL, root: PipelineRoot, runId: String) {
        self.folder = folder
        self.root = root
        self.runId = runId
    }

    /// How a stage run ended: its exit and the manifest it published, read back from the chain.
    public struct Result: Sendable {
        public var status: Int32
        /// The manifest the stage published; nil when it worked on no batch.
        public var manifest: StageManifest?

        /// The stage found nothing to do: it published no manifest.
        public var idle: Bool { manifest == nil }
    }

    /// stdout and stderr go straight through; what the stage did is read from the manifest chain.
    public func run(_ stage: String, _ arguments: [String] = []) throws -> Result {
        let executable = folder.appendingPathComponent("flexyvisma-\(stage)")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw OperatorMessage(.internalError, "\(executable.path) is missing: is FlexyVisma installed completely?")
        }
        let chain = ManifestChain(root: root)
        let before = try chain.head()
        var environment = ProcessInfo.processInfo.environment
        environment[RunLogging.environmentVariable] = runId
        let status = try Subprocess.start(
            executable.path, ["--root", root.url.path] + arguments, environment: environment
        ).wait()
        let after = try chain.head()
        var published: StageManifest?
        if let after, after != before, let batch = root.locateBatch(after.batchId) {
            published = StageManifest.read(after.fileName, in: batch)
        }
        return Result(status: status, manifest: published)
    }
}

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

    public struct Result: Sendable {
        public var status: Int32
        /// What the stage printed on stdout (also passed through).
        public var output: String

        /// The stage found nothing to do.
        public var idle: Bool { output.hasPrefix("nothing") }
    }

    /// stderr goes straight through; stdout is collected and echoed.
    public func run(_ stage: String, _ arguments: [String] = []) throws -> Result {
        let executable = folder.appendingPathComponent("flexyvisma-\(stage)")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw OperatorMessage(.internalError, "\(executable.path) is missing: is FlexyVisma installed completely?")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--root", root.url.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment[RunLogging.environmentVariable] = runId
        process.environment = environment
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        FileHandle.standardOutput.write(data)
        return Result(status: process.terminationStatus, output: text)
    }
}

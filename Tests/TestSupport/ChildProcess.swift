import Foundation

/// A finished child process: exit status and what it printed.
public struct ProcessResult: Sendable, CustomStringConvertible {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String

    public var description: String {
        "exit \(status)\n--- stdout\n\(standardOutput)\n--- stderr\n\(standardError)"
    }
}

/// Runs the package's built executables as real child processes.
public enum ChildProcess {
    /// The folder holding the built products (the test bundle sits beside them).
    public static let productsFolder: URL = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("flexyvisma").path) {
                return folder
            }
            folder = folder.deletingLastPathComponent()
        }
        return Repository.root.appendingPathComponent(".build/debug", isDirectory: true)
    }()

    public static func executable(_ name: String) -> URL { productsFolder.appendingPathComponent(name) }

    /// Runs to completion; stdout and stderr are collected through files so that neither pipe can fill up.
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:]
    ) throws -> ProcessResult {
        let process = try start(executable, arguments, environment: environment)
        process.process.waitUntilExit()
        return process.result()
    }

    /// Starts without waiting, for tests that kill the child.
    public static func start(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:]
    ) throws -> RunningProcess {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let out = scratch.appendingPathComponent("stdout")
        let err = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["FLEXYVISMA_SCHEMAS"] = Repository.schemas.path
        merged.merge(environment) { $1 }
        process.environment = merged
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        // Foundation's Process.run crashed (memcpy inside it) when tests started children on several threads at once.
        try spawnLock.withLock { try process.run() }
        return RunningProcess(process: process, scratch: scratch)
    }
}

/// Serialises starting children: only the start, not the wait.
private let spawnLock = NSLock()

/// A child process still running.
public struct RunningProcess {
    public let process: Process
    let scratch: URL

    public func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits for the child's first line on stdout (nil if it exits first).
    public func firstLineOfOutput() -> String? {
        let file = scratch.appendingPathComponent("stdout")
        while true {
            if let text = try? String(contentsOf: file, encoding: .utf8), let newline = text.firstIndex(of: "\n") {
                return String(text[..<newline])
            }
            guard process.isRunning else { return nil }
            usleep(10_000)
        }
    }

    public func result() -> ProcessResult {
        let out = (try? String(contentsOf: scratch.appendingPathComponent("stdout"), encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: scratch.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: scratch)
        return ProcessResult(status: process.terminationStatus, standardOutput: out, standardError: err)
    }
}

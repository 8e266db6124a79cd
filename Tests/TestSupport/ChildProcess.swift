import FlexyVismaCore
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
        var merged = ProcessInfo.processInfo.environment
        merged["FLEXYVISMA_SCHEMAS"] = Repository.schemas.path
        merged.merge(environment) { $1 }
        let output = open(out.path, O_WRONLY | O_CLOEXEC)
        let errors = open(err.path, O_WRONLY | O_CLOEXEC)
        defer {
            close(output)
            close(errors)
        }
        // posix_spawn, not Foundation's Process, whose run() reads past a buffer (see Subprocess).
        let child = try Subprocess.start(executable.path, arguments, environment: merged, output: output, error: errors)
        return RunningProcess(process: ChildHandle(child), scratch: scratch)
    }
}

/// The parts of Foundation's `Process` the tests use, over a `Subprocess`.
public struct ChildHandle: Sendable {
    let child: Subprocess

    init(_ child: Subprocess) { self.child = child }

    public var processIdentifier: Int32 { child.pid }
    public var isRunning: Bool { child.isRunning }
    public func waitUntilExit() { child.wait() }
    /// The exit status, or the signal's number; waits for the end.
    public var terminationStatus: Int32 { child.wait() }
    public var terminationReason: Process.TerminationReason { child.endedBySignal ? .uncaughtSignal : .exit }
}

/// A child process still running.
public struct RunningProcess {
    public let process: ChildHandle
    let scratch: URL

    public func kill() {
        process.child.kill()
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

import Foundation
import Glibc
import Logging

/// Where one process's log lines go: JSON lines to `logs/<runId>.jsonl`, and to stderr plain lines or,
/// with `--log-format json`, JSON lines.
public final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private let descriptor: Int32?
    private let humanStream: Bool
    let format: LogFormat

    /// `file` nil: stderr only (before a root is known). The log holds personal data (customer names,
    /// Visma's answers): it is created owner-only (0600) and never through a link.
    public init(file: URL?, humanStream: Bool = true, format: LogFormat = .human) {
        if let file {
            self.descriptor = try? DurableFiles.openForWriting(
                file, permissions: FileModes.privateFile, exclusive: false, append: true)
        } else {
            self.descriptor = nil
        }
        self.humanStream = humanStream
        self.format = format
    }

    deinit { if let descriptor { close(descriptor) } }

    /// `stream` is what stderr gets: the plain line, or the JSON line with `--log-format json`.
    func write(json: Data, stream: Data) {
        lock.lock()
        defer { lock.unlock() }
        if let descriptor {
            StandardStream.write(Array(json) + [0x0A], to: descriptor)
        }
        if humanStream {
            StandardStream.write(Array(stream) + [0x0A], to: STDERR_FILENO)
        }
    }
}

/// A swift-log handler writing both JSON lines (for machines) and plain lines (for people).
public struct RunLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let sink: LogSink

    public init(label: String, sink: LogSink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let now = Date()
        let message = LogRedaction.redact("\(event.message)")
        var object: [String: String] = [
            "time": Timestamp.iso8601(now), "level": event.level.rawValue, "logger": label, "message": message,
        ]
        var fields: [String: String] = [:]
        for (key, value) in merged { fields[key] = LogRedaction.redact("\(value)") }
        object.merge(fields) { _, new in new }
        let json = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        let stream: Data
        switch sink.format {
        case .json:
            stream = JSONLogLine.encode(
                level: event.level.rawValue, stage: label, message: message, metadata: fields, at: now)
        case .human:
            let prefix = event.level >= .error ? "error: " : (event.level == .warning ? "warning: " : "")
            stream = Data("\(label): \(prefix)\(message)".utf8)
        }
        sink.write(json: json, stream: stream)
    }
}

/// Process-wide logging set-up for an executable; call once from `main`.
public enum RunLogging {
    /// Stage processes started by `flexyvisma run` inherit its run id through this variable, so
    /// one night is one log file and one run id in every manifest.
    public static let environmentVariable = "FLEXYVISMA_RUN_ID"

    /// The run id of this process: inherited from `flexyvisma run`, else a fresh one.
    public static func makeRunId(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let inherited = environment[environmentVariable], !inherited.isEmpty,
            inherited.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        {
            return inherited
        }
        let id = UUID().uuidString.lowercased()
        return String(id.prefix(8))
    }

    /// Sends every logger to `logs/<runId>.jsonl` under the root (when it exists) and to stderr.
    /// Sets the process umask of the permission model first.
    public static func bootstrap(root: PipelineRoot?, runId: String, format: LogFormat = LogFormat.current) {
        FileModes.applyProcessUmask()
        LogRedaction.registerEnvironmentSecret()
        var file: URL?
        if let root, FileManager.default.fileExists(atPath: root.logs.path) {
            file = root.logs.appendingPathComponent("\(runId).jsonl")
        }
        let sink = LogSink(file: file, format: format)
        LoggingSystem.bootstrap { label in
            var handler = RunLogHandler(label: label, sink: sink)
            handler.metadata["run"] = .string(runId)
            return handler
        }
    }
}

import Foundation
import Synchronization

/// How log lines reach stderr: plain lines for people, or one JSON object per line for a log collector.
public enum LogFormat: String, Sendable, CaseIterable {
    case human
    case json

    /// `--log-format` is handed to child processes (the stages `run` starts) through this variable.
    public static let environmentVariable = "FLEXYVISMA_LOG_FORMAT"

    /// The format this process was asked for; nil when the variable holds something else.
    public static func requested(environment: [String: String] = ProcessInfo.processInfo.environment) -> LogFormat? {
        guard let value = environment[environmentVariable], !value.isEmpty else { return .human }
        return LogFormat(rawValue: value)
    }

    /// The format in force, for lines written outside a logger (an error before the root is known).
    public static var current: LogFormat { requested() ?? .human }

    /// Makes `format` this process's and its children's.
    public static func adopt(_ format: LogFormat) {
        setenv(environmentVariable, format.rawValue, 1)
    }
}

/// The redaction layer every log line and stderr diagnostic passes: known secret values become `<redacted>`.
///
/// `ClientSecret` already prints as `<redacted>`; this catches a secret that reached a message as
/// text (e.g. echoed in a server's answer). Values shorter than 6 characters are not registered,
/// so a trivial secret cannot blank out ordinary words.
public enum LogRedaction {
    private static let secrets = Mutex<Set<String>>([])
    public static let replacement = "<redacted>"

    public static func register(_ secret: String) {
        guard secret.count >= 6 else { return }
        secrets.withLock { _ = $0.insert(secret) }
    }

    /// Registers `FLEXYVISMA_CLIENT_SECRET` when it is set.
    public static func registerEnvironmentSecret(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let value = environment[ClientSecret.environmentVariable] { register(value) }
    }

    public static func redact(_ text: String) -> String {
        let known = secrets.withLock { $0 }
        var result = text
        for secret in known where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: replacement)
        }
        return result
    }
}

/// One log line as a JSON object: `time`, `level`, `stage`, `message`, `metadata`.
public enum JSONLogLine {
    public static func encode(
        level: String, stage: String, message: String, metadata: [String: String] = [:], at date: Date = Date()
    ) -> Data {
        let object: [String: Any] = [
            "time": Timestamp.iso8601(date), "level": level, "stage": stage, "message": LogRedaction.redact(message),
            "metadata": metadata.mapValues { LogRedaction.redact($0) },
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
    }
}

/// A diagnostic for stderr outside a logger (command failures, report lines): plain or JSON as the format says.
public enum DiagnosticLine {
    /// `text` is the plain line without its newline; `message` the same without the program prefix.
    public static func write(stage: String, level: String, message: String, plain text: String) {
        switch LogFormat.current {
        case .human: StandardStream.error(LogRedaction.redact(text) + "\n")
        case .json:
            StandardStream.write(
                Array(JSONLogLine.encode(level: level, stage: stage, message: message)) + [0x0A], to: STDERR_FILENO)
        }
    }
}

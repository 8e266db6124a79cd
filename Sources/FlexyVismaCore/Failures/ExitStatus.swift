/// Process exit codes shared by every FlexyVisma executable (docs/ARCHITECTURE.md, "Exit codes", after sysexits.h).
public enum ExitStatus: Int32, Sendable, Codable, CaseIterable {
    /// Done, or nothing to do.
    case success = 0
    /// The command was called wrongly.
    case usage = 64
    /// Data was rejected; the pipeline is now halted.
    case dataRejected = 65
    /// The pipeline was halted by an earlier run; nothing was done.
    case haltedEarlier = 69
    /// A bug or an unexpected condition inside FlexyVisma.
    case internalError = 70
    /// A temporary failure (network, 5xx, 429 exhausted, lock held); try again later.
    case temporaryFailure = 75
    /// The configuration (or a file it names) is missing or wrong.
    case configuration = 78
}

/// An error that knows how the process should exit and how to explain itself to a bookkeeper.
public protocol PipelineFailure: Error, CustomStringConvertible, Sendable {
    var exitStatus: ExitStatus { get }
}

/// A failure that is a sentence for the operator and an exit status, nothing more.
public struct OperatorMessage: PipelineFailure, Equatable {
    public var exitStatus: ExitStatus
    public var message: String

    public init(_ exitStatus: ExitStatus, _ message: String) {
        self.exitStatus = exitStatus
        self.message = message
    }

    public var description: String { message }
}

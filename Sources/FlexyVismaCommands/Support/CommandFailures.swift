import ArgumentParser
import FlexyVismaCore
import Foundation

/// Turns a command body's failures into a plain message on stderr and the exit docs/ARCHITECTURE.md ("Exit codes") gives them.
///
/// The body's exit status is thrown as ArgumentParser's `ExitCode`, so commands never call `exit()`.
enum CommandFailures {
    static func report(_ program: String, _ body: () throws -> ExitStatus) throws {
        let status: ExitStatus
        do {
            status = try body()
        } catch {
            status = try exitStatus(program, error)
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }

    static func report(_ program: String, _ body: () async throws -> ExitStatus) async throws {
        let status: ExitStatus
        do {
            status = try await body()
        } catch {
            status = try exitStatus(program, error)
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }

    /// Says what went wrong; ArgumentParser's own errors (usage, help) are passed on to it.
    private static func exitStatus(_ program: String, _ error: any Error) throws -> ExitStatus {
        switch error {
        case let failure as any PipelineFailure:
            printError(program, failure.description)
            return failure.exitStatus
        case is ExitCode, is ValidationError, is CleanExit:
            throw error
        default:
            printError(program, "internal error: \(error)")
            return .internalError
        }
    }

    static func printError(_ program: String, _ message: String) {
        let escaped = TerminalText.escaped(message)
        DiagnosticLine.write(stage: program, level: "error", message: escaped, plain: "\(program): error: \(escaped)")
    }
}

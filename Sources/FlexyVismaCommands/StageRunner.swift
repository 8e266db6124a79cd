import FlexyVismaCore
import Foundation

/// Runs a command body and turns every failure into a plain message on stderr and an exit status.
public enum StageRunner {
    /// Never returns: exits with the body's status, or with the failure's.
    public static func run(_ program: String, _ body: () throws -> ExitStatus) -> Never {
        let status: ExitStatus
        do {
            status = try body()
        } catch let failure as any PipelineFailure {
            printError(program, failure.description)
            status = failure.exitStatus
        } catch {
            printError(program, "internal error: \(error)")
            status = .internalError
        }
        exit(status.rawValue)
    }

    public static func printError(_ program: String, _ message: String) {
        FileHandle.standardError.write(Data("\(program): error: \(message)\n".utf8))
    }
}

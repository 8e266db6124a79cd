import ArgumentParser
import CompanyCheck
import FlexyVismaCore
import Foundation

/// `flexyvisma doctor`.
struct DoctorSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the Visma company against flexyvisma.json and the waiting batches (read-only).",
        discussion: """
            One line per check with ✓ or ✗ and the fix, then the settings to check by hand. \
            Exit codes: 0 all passed · 75 Visma cannot be reached · 78 something to fix.
            """)

    @OptionGroup var options: RootOptions

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func run() throws {
        try options.run("flexyvisma doctor") { root, configuration in
            let doctor = CompanyDoctor(
                root: root, configuration: configuration, secret: try ClientSecret.load(for: configuration, root: root))
            let report = try AsyncBridge.wait { try await doctor.run() }
            if json {
                StandardStream.output(Array(try report.json()))
            } else {
                print(report.text)
            }
            return report.exitStatus
        }
    }
}

/// Runs async work to its end from a synchronous command (the umbrella command is synchronous).
enum AsyncBridge {
    static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.set(.success(try await work())) } catch { box.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        guard let result = box.value else {
            throw OperatorMessage(.internalError, "the async work ended without a result")
        }
        return try result.get()
    }

    private final class ResultBox<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<T, any Error>?
        func set(_ value: Result<T, any Error>) { lock.withLock { result = value } }
        var value: Result<T, any Error>? { lock.withLock { result } }
    }
}

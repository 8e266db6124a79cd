import ArgumentParser
import FlexyVismaCore
import Foundation
import VismaSimulator

/// `visma-simulator`: a strict local Visma.net ERP company over HTTP on 127.0.0.1.
@main
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visma-simulator",
        abstract: "Run a local Visma.net ERP API that enforces what Visma enforces (demo, tests, benchmarks).",
        discussion: """
            The first line on stdout is the base URL. Admin endpoints: GET /_simulator/entities[?kind=], \
            GET /_simulator/requests, POST /_simulator/reset, POST /_simulator/faults, POST /_simulator/fixture. \
            See docs/SIMULATOR.md.
            """,
        version: "visma-simulator \(FlexyVismaVersion.current)")

    @Option(help: "Port on 127.0.0.1 (0: any free port).")
    var port = 18080

    @Option(
        help:
            "The company: 'sample' (the default), 'strict' (every setting real companies differ in switched on) or a fixture file (JSON)."
    )
    var company: String?

    @Option(help: "Keep the company's records in this file across restarts.")
    var state: String?

    @Option(
        name: .customLong("rate-limit"),
        help: "Requests per window, N/SECONDS (default 15000/3600, Visma's published figure); 'off' for none.")
    var rateLimit = RateLimitSetting.limit(.visma)

    @Option(help: "Faults to inject, e.g. 503:0.05,lost:0.02,delay:0.1@250ms,drop:0.01,token-expiry:0.01.")
    var faults = ""

    @Option(help: "Seed for the fault sequence.")
    var seed: UInt64 = 1

    func run() async throws {
        ProcessHardening.apply()
        let fixture = try company.map(CompanyFixture.named) ?? .sampleVenue
        let plan: FaultPlan
        do { plan = try FaultPlan(parsing: faults) } catch { throw ValidationError("\(error)") }
        let engine = try SimulatorEngine(
            configuration: SimulatorConfiguration(
                fixture: fixture, statePath: state.map { URL(fileURLWithPath: $0) }, rateLimit: rateLimit.limit,
                faults: plan,
                seed: seed))
        let app = buildSimulatorApplication(engine: engine, port: port) { boundPort in
            // Unbuffered, so a parent reading the first line sees it at once.
            StandardStream.output("http://127.0.0.1:\(boundPort)\n")
        }
        try await app.runService()
    }
}

/// `--rate-limit N/SECONDS` or `off`.
enum RateLimitSetting: ExpressibleByArgument {
    case off
    case limit(RateLimit)

    init?(argument: String) {
        if argument == "off" {
            self = .off
        } else if let limit = RateLimit(parsing: argument) {
            self = .limit(limit)
        } else {
            return nil
        }
    }

    var limit: RateLimit? {
        if case .limit(let limit) = self { return limit }
        return nil
    }

    var defaultValueDescription: String { limit.map(\.description) ?? "off" }
}

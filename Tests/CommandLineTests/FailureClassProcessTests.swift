import FlexyVismaCore
import Foundation
import GRDB
import TestSupport
import Testing
import VismaSimulator

/// A fault that is not the batch's is never blamed on a record: refused credentials are a configuration fault (78),
/// an unreachable Visma Connect a temporary one (75); a stage that was killed is shown and does not loop.
@Suite(.serialized) struct FailureClassProcessTests {
    /// A corrected venue exported, validated and transformed: the next stage is the upload.
    static func readyToUpload(_ simulator: RunningSimulator, notify: URL? = nil) async throws -> NightlyRunTests.Venue {
        // Building the venue is synchronous work: off the cooperative pool the in-process simulators need.
        let venue = try await offCooperativePool {
            try NightlyRunTests.Venue(simulator: simulator, corrected: true, notify: notify)
        }
        for stage in ["export", "validate", "transform"] {
            let result = try await offCooperativePool { try venue.run([stage]) }
            #expect(result.status == 0, "\(stage): \(result)")
        }
        return venue
    }

    static func ledgerStates(_ root: PipelineRoot) throws -> [String: Int] {
        let file = root.state.appendingPathComponent("ledger.sqlite")
        guard FileManager.default.fileExists(atPath: file.path) else { return [:] }
        let queue = try DatabaseQueue(path: file.path)
        defer { try? queue.close() }
        return try queue.read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM ledger GROUP BY state")
                    .map {
                        (($0["state"] as String?) ?? "", ($0["n"] as Int?) ?? 0)
                    })
        }
    }

    @Test func aWrongClientSecretIsAConfigurationFaultNotARefusedRecord() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await Self.readyToUpload(simulator)
            let secret = venue.root.resolve("secrets/client-secret")
            try DurableFiles.write(Data("not-the-secret".utf8), to: secret, permissions: 0o600)

            let upload = try await offCooperativePool { try venue.run(["upload"]) }
            #expect(upload.status == 78, "\(upload)")
            #expect("\(upload)".contains("refused the client credentials"), "\(upload)")
            #expect(!"\(upload)".contains("Visma refused inventory"), "\(upload)")
            #expect(try HaltRecord.current(in: venue.root) == nil)
            #expect(try Self.ledgerStates(venue.root)["rejected"] == nil)
            let status = try await offCooperativePool { try venue.run(["status"]) }
            #expect(status.standardOutput.contains("configuration fault (exit 78)"), "\(status)")
            #expect(!status.standardOutput.contains("HALTED"), "\(status)")
        }
    }

    @Test func anUnreachableTokenEndpointIsATemporaryFault() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await Self.readyToUpload(simulator)
            var configuration = try PipelineConfiguration.load(from: venue.root)
            configuration.visma.tokenURL = "http://127.0.0.1:1/connect/token"  // nothing listens on port 1
            try configuration.encoded().write(to: venue.root.configFile)

            let upload = try await offCooperativePool { try venue.run(["upload"]) }
            #expect(upload.status == 75, "\(upload)")
            #expect("\(upload)".contains("cannot reach Visma Connect"), "\(upload)")
            #expect(try HaltRecord.current(in: venue.root) == nil)
            #expect(try Self.ledgerStates(venue.root)["rejected"] == nil)
            #expect(
                try await offCooperativePool { try venue.run(["status"]) }.standardOutput.contains(
                    "temporary fault (exit 75)"))
        }
    }

    @Test func aKilledStageIsShownAndAfterTwoKillsTheBatchHaltsInsteadOfLooping() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await Self.readyToUpload(simulator)
            // Visma Connect accepts the connection and never answers: each upload is stuck in the same place when killed.
            let silent = try SilentListener()
            defer { silent.close() }
            var configuration = try PipelineConfiguration.load(from: venue.root)
            let tokenURL = configuration.visma.tokenURL
            configuration.visma.tokenURL = "http://127.0.0.1:\(silent.port)/connect/token"
            try configuration.encoded().write(to: venue.root.configFile)
            for kill in 1...2 {
                let root = venue.root
                let killed = try await offCooperativePool { () -> Bool in
                    let child = try ChildProcess.start(
                        ChildProcess.executable("flexyvisma-upload"), ["--root", root.url.path])
                    // Killed once its own marker is written (the one before it is left by the previous kill) and its
                    // records are in the ledger: it then waits for the token that never comes.
                    func stuck() -> Bool {
                        (try? StageRunMarker.read(.upload, in: root))??.pid == child.process.processIdentifier
                            && (try? FailureClassProcessTests.ledgerStates(root))?["pending"] != nil
                    }
                    while !stuck(), child.process.isRunning { usleep(20_000) }
                    child.kill()
                    return child.process.terminationReason == .uncaughtSignal
                }
                #expect(killed, "kill \(kill)")
                let status = try await offCooperativePool { try venue.run(["status"]) }
                #expect(status.standardOutput.contains("INTERRUPTED: the previous run of upload on batch"), "\(status)")
                #expect(status.standardOutput.contains("ended without a result (crash or kill)"), "\(status)")
                #expect(!status.standardOutput.contains("Running normally"), "\(status)")
            }
            let third = try await offCooperativePool { try venue.run(["upload"]) }
            #expect(third.status == 70, "\(third)")
            #expect("\(third)".contains("ended without a result (crash or kill)"), "\(third)")
            let halt = try #require(try HaltRecord.current(in: venue.root))
            #expect(halt.first?.rule == "stage.crashed")
            #expect(try await offCooperativePool { try venue.run(["upload"]) }.status == 69)
            configuration.visma.tokenURL = tokenURL
            try configuration.encoded().write(to: venue.root.configFile)
            let retried = try await offCooperativePool { try venue.run(["upload", "--retry"]) }
            #expect(retried.status == 0, "\(retried)")
        }
    }

    @Test func hostileRateHeadersEndTheUploadWithATemporaryFaultNotACrashOrASleep() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await Self.readyToUpload(simulator)
            let admin = try VismaTestClient(baseURL: simulator.baseURL)
            // Every API answer: 429 with Retry-After: nan, X-RateLimit-Remaining: -1, X-RateLimit-Reset: inf.
            #expect(
                try await admin.send("POST", "/_simulator/faults", json: "hostile-headers:1", record: false).status
                    == 200)

            let upload = try await offCooperativePool { try venue.run(["upload"]) }
            #expect(upload.status == 75, "\(upload)")
            #expect("\(upload)".contains("could not be confirmed"), "\(upload)")
            #expect(try HaltRecord.current(in: venue.root) == nil)
            #expect(try Self.ledgerStates(venue.root)["rejected"] == nil)

            // Once Visma answers sanely again, the next run finishes the batch.
            #expect(try await admin.send("POST", "/_simulator/faults", json: "", record: false).status == 200)
            let again = try await offCooperativePool { try venue.run(["upload"]) }
            #expect(again.status == 0, "\(again)")
        }
    }

    @Test func theNightlyRunTellsAPersonThatTheConfigurationNeedsCorrecting() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let scratch = try TemporaryFolder("flexyvisma-notify")
            let notes = scratch.path("notifications.txt")
            let venue = try await Self.readyToUpload(simulator, notify: notes)
            try DurableFiles.write(
                Data("not-the-secret".utf8), to: venue.root.resolve("secrets/client-secret"), permissions: 0o600)

            let run = try await offCooperativePool { try venue.run(["run"]) }
            #expect(run.status == 78, "\(run)")
            #expect(
                run.standardOutput.contains("upload stopped with exit 78 (configuration fault): Visma Connect"),
                "\(run)")
            let told = try String(contentsOf: notes, encoding: .utf8)
            #expect(told.contains("configuration fault (exit 78)"), "\(told)")  // the status JSON's faults
            #expect(!told.contains("\"halted\":true"), "\(told)")
            withExtendedLifetime(scratch) {}
        }
    }
}

/// A TCP port on loopback that accepts connections (the kernel's backlog) and never answers.
struct SilentListener {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard descriptor >= 0, bound, listen(descriptor, 64) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        port = UInt16(bigEndian: address.sin_port)
    }

    func close() { _ = Glibc.close(descriptor) }
}

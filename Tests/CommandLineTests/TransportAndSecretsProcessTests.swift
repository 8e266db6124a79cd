import FlexyVismaCore
import Foundation
import Glibc
import TestSupport
import Testing
import VismaSimulator

/// Issue 13 §6 with real child processes: init's URL rule, the notifier's environment and stdin,
/// a broken stderr, core dumps, and where the schemas come from.
@Suite struct TransportAndSecretsProcessTests {

    /// A child process waited for off the cooperative pool, which the in-process simulators of other tests need.
    static func off(_ venue: NightlyRunTests.Venue, _ arguments: [String]) async throws -> ProcessResult {
        try await offCooperativePool { try venue.run(arguments) }
    }
    let umbrella = ChildProcess.executable("flexyvisma")

    @Test func initRefusesPlainHTTPToAnotherHostAndAcceptsLoopback() throws {
        let folder = try TemporaryFolder("flexyvisma-init-http")
        let refused = try ChildProcess.run(
            umbrella, ["init", folder.path("remote").path, "--visma-url", "http://integration.visma.example/API"])
        #expect(refused.status == 78, "\(refused)")
        #expect(
            refused.standardError.contains("plain HTTP") && refused.standardError.contains("use https://"), "\(refused)"
        )
        #expect(!FileManager.default.fileExists(atPath: folder.path("remote/flexyvisma.json").path))
        for (name, url) in [
            ("https", "https://integration.visma.example/API"), ("v4", "http://127.0.0.1:18080"),
            ("v6", "http://[::1]:18080"),
        ] {
            let accepted = try ChildProcess.run(umbrella, ["init", folder.path(name).path, "--visma-url", url])
            #expect(accepted.status == 0, "\(url): \(accepted)")
        }
    }

    /// A venue whose first night halts (a supplier Visma does not have), with a notifier script.
    func haltingVenue(_ simulator: RunningSimulator, notifier script: String) throws -> NightlyRunTests.Venue {
        let venue = try NightlyRunTests.Venue(simulator: simulator, corrected: true)
        let file = venue.folder.path("notify.sh")
        try Data(("#!/bin/sh\n" + script + "\n").utf8).write(to: file)
        chmod(file.path, 0o755)
        var configuration = try PipelineConfiguration.load(from: venue.root)
        configuration.notifications.command = file.path
        configuration.notifications.repeatWhileHalted = true
        try configuration.encoded().write(to: venue.root.configFile)
        return venue
    }

    static var haltingCompany: CompanyFixture {
        var company = CompanyFixture.sampleVenue
        company.suppliers.removeAll { $0.name == "Vinhuset Ribe" }
        return company
    }

    @Test func theNotificationCommandNeverSeesTheClientSecret() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: Self.haltingCompany, rateLimit: nil)) {
            simulator in
            let venue = try haltingVenue(
                simulator,
                notifier:
                    "env > \"$(dirname \"$0\")/notifier-env.txt\"; cat > \"$(dirname \"$0\")/notifier-stdin.json\"")
            let secret = ClientSecret.simulatorDemoSecret
            let run = try await offCooperativePool {
                try ChildProcess.run(
                    venue.umbrella, ["run", "--root", venue.root.url.path],
                    environment: ["FLEXYVISMA_CLIENT_SECRET": secret, "AWS_SECRET_ACCESS_KEY": "not-for-the-notifier"])
            }
            #expect(run.status == 65, "\(run)")
            let environment = try String(contentsOf: venue.folder.path("notifier-env.txt"), encoding: .utf8)
            #expect(!environment.contains(secret), "\(environment)")
            #expect(!environment.contains("FLEXYVISMA_CLIENT_SECRET"), "\(environment)")
            #expect(!environment.contains("AWS_SECRET_ACCESS_KEY"), "\(environment)")
            #expect(environment.contains("FLEXYVISMA_EVENT=halted"), "\(environment)")
            #expect(environment.contains("FLEXYVISMA_EXIT_STATUS=65"), "\(environment)")
            #expect(environment.contains("PATH="), "\(environment)")
            let status = try String(contentsOf: venue.folder.path("notifier-stdin.json"), encoding: .utf8)
            #expect(status.contains("\"halted\""), "\(status)")
        }
    }

    @Test func theRunLogIsReadableOnlyByItsOwner() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try NightlyRunTests.Venue(simulator: simulator, corrected: true)
            let export = try await Self.off(venue, ["export"])
            #expect(export.status == 0, "\(export)")
            let logs = try FileManager.default.contentsOfDirectory(atPath: venue.root.logs.path).filter {
                $0.hasSuffix(".jsonl")
            }
            #expect(!logs.isEmpty)
            for name in logs {
                let mode =
                    try FileManager.default.attributesOfItem(atPath: venue.root.logs.appendingPathComponent(name).path)[
                        .posixPermissions] as? Int
                #expect(mode == 0o600, "\(name): mode \(String(mode ?? 0, radix: 8))")
            }
        }
    }

    /// The status JSON is made larger than a pipe's buffer (many drops waiting behind the halt), so the
    /// write to a notifier that closed its stdin fails for certain rather than by timing.
    @Test func aNotifierThatClosesStdinOrABrokenStderrDoesNotEndTheRun() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: Self.haltingCompany, rateLimit: nil)) {
            simulator in
            let venue = try haltingVenue(simulator, notifier: "exec 0<&-\necho told > \"$(dirname \"$0\")/told.txt\"")
            let first = try await Self.off(venue, ["run"])
            #expect(first.status == 65, "\(first)")
            let padding = String(repeating: "x", count: 180)
            for index in 0..<500 {
                try Data("{}".utf8).write(
                    to: venue.root.inbox.appendingPathComponent("waiting-\(index)-\(padding).unknown"))
            }
            let status = try await Self.off(venue, ["status", "--json"])
            #expect(
                status.standardOutput.utf8.count > 80_000, "status JSON only \(status.standardOutput.utf8.count) bytes")
            try FileManager.default.removeItem(at: venue.folder.path("told.txt"))
            let second = try await Self.off(venue, ["run"])
            #expect(second.status == 65, "\(second)")
            #expect(second.standardError.contains("did not read the status on its stdin"), "\(second)")
            #expect(FileManager.default.fileExists(atPath: venue.folder.path("told.txt").path))
            // Again with stderr broken as well: every warning and log line meets EPIPE.
            try FileManager.default.removeItem(at: venue.folder.path("told.txt"))
            let third = try await offCooperativePool {
                try Self.runWithBrokenStderr(venue.umbrella, ["run", "--root", venue.root.url.path])
            }
            #expect(third.reason == .exit && third.status == 65, "\(third)")
            #expect(FileManager.default.fileExists(atPath: venue.folder.path("told.txt").path))
        }
    }

    /// A notifier that never reads and never ends (a mail relay that hangs) is stopped at its time limit:
    /// the night ends with its own status and releases the root.
    @Test func aNotifierThatHangsIsStoppedAtItsTimeLimit() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: Self.haltingCompany, rateLimit: nil)) {
            simulator in
            let venue = try haltingVenue(simulator, notifier: "exec sleep 600")
            var configuration = try PipelineConfiguration.load(from: venue.root)
            configuration.notifications.timeLimitSeconds = 1
            try configuration.encoded().write(to: venue.root.configFile)
            let night = try await Self.off(venue, ["run"])
            #expect(night.status == 65, "\(night)")
            #expect(night.standardError.contains("did not finish within 1 s and was stopped"), "\(night)")
            configuration.notifications.timeLimitSeconds = 0
            try configuration.encoded().write(to: venue.root.configFile)
            let refused = try await Self.off(venue, ["status"])
            #expect(refused.status == 78)
            #expect(refused.standardError.contains("notifications.timeLimitSeconds"))
        }
    }

    /// Runs with stderr a pipe whose reading end is already closed: every write to it fails with EPIPE.
    static func runWithBrokenStderr(
        _ executable: URL, _ arguments: [String]
    ) throws -> (reason: Process.TerminationReason, status: Int32) {
        var environment = ProcessInfo.processInfo.environment
        environment["FLEXYVISMA_SCHEMAS"] = Repository.schemas.path
        let ends = try Subprocess.pipe()
        close(ends.reading)
        let nothing = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(nothing) }
        let child: Subprocess
        do {
            defer { close(ends.writing) }
            child = try Subprocess.start(
                executable.path, arguments, environment: environment, output: nothing, error: ends.writing)
        }
        let status = child.wait()
        return (child.endedBySignal ? .uncaughtSignal : .exit, status)
    }

    @Test func aClosedStderrEndsACommandWithItsOwnStatus() throws {
        let folder = try TemporaryFolder("flexyvisma-broken-stderr")
        #expect(try ChildProcess.run(umbrella, ["init", folder.path("venue").path]).status == 0)
        // init on an existing root is refused with a message on stderr (exit 64).
        let again = try Self.runWithBrokenStderr(umbrella, ["init", folder.path("venue").path])
        #expect(again.reason == .exit && again.status == 64, "\(again)")
    }

    @Test func everyExecutableRunsWithCoreDumpsDisabled() throws {
        let version = try ChildProcess.run(umbrella, ["version"])
        #expect(version.standardOutput.contains("core dumps: disabled"), "\(version)")
    }

    /// A `Schemas/` folder planted above the working directory is never used: a binary outside a
    /// build folder, without FLEXYVISMA_SCHEMAS and an installed share folder, finds no contracts.
    @Test func schemasAreNeverTakenFromAboveTheWorkingDirectory() throws {
        let folder = try TemporaryFolder("flexyvisma-schema-plant")
        #expect(try ChildProcess.run(umbrella, ["init", folder.path("venue").path]).status == 0)
        let bin = folder.path("opt/bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let stage = bin.appendingPathComponent("flexyvisma-validate")
        try FileManager.default.copyItem(at: ChildProcess.executable("flexyvisma-validate"), to: stage)
        let planted = folder.path("work/Schemas")
        try FileManager.default.createDirectory(at: folder.path("work/deeper"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Repository.schemas, to: planted)
        // Started in work/deeper through the shell; an empty FLEXYVISMA_SCHEMAS counts as unset.
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"),
            [
                "-c", "cd \"$1\" && exec \"$2\" --root \"$3\"", "sh", folder.path("work/deeper").path, stage.path,
                folder.path("venue").path,
            ],
            environment: ["FLEXYVISMA_SCHEMAS": "", "FLEXYVISMA_CLIENT_SECRET": ClientSecret.simulatorDemoSecret])
        let message = result.standardError
        #expect(result.status == 78, "\(message)")
        #expect(message.contains("cannot find the FlexyVisma Schemas folder"), "\(message)")
    }
}

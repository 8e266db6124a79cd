import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaSimulator

/// `flexyvisma check-drop`, the inbox watcher's command, as a child process against the simulator:
/// a hand drop is validated by the real validate stage and what it found reaches the notification command.
@Suite struct DropCheckProcessTests {
    struct Venue: @unchecked Sendable {
        let folder: TemporaryFolder
        let root: PipelineRoot
        let notifications: URL
        let umbrella = ChildProcess.executable("flexyvisma")

        init(visma: String, settleSeconds: Int = 0) throws {
            folder = try TemporaryFolder("flexyvisma-drop-check")
            root = PipelineRoot(folder.path("venue"))
            notifications = folder.path("notifications.txt")
            #expect(try ChildProcess.run(umbrella, ["init", root.url.path, "--visma-url", visma]).status == 0)
            var configuration = try PipelineConfiguration.load(from: root)
            configuration.pipeline.settleSeconds = settleSeconds
            // One line per notification: the event, the report it names, and the summary ("$1").
            configuration.notifications.command =
                "cat > /dev/null; printf '%s|%s|%s\\n' \"$FLEXYVISMA_EVENT\" \"$FLEXYVISMA_REPORT\" >> \(notifications.path)"
            try configuration.encoded().write(to: root.configFile)
        }

        func drop(_ sample: String, as name: String) throws {
            try FileManager.default.copyItem(
                at: Repository.samples.appendingPathComponent("drops/\(sample)"),
                to: root.inbox.appendingPathComponent(name))
        }

        func checkDrop(_ extra: [String] = []) throws -> ProcessResult {
            try ChildProcess.run(umbrella, ["check-drop", "--root", root.url.path] + extra)
        }

        var told: [String] {
            ((try? String(contentsOf: notifications, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func inInbox(_ name: String) -> Bool {
            FileManager.default.fileExists(atPath: root.inbox.appendingPathComponent(name).path)
        }
    }

    @Test func aHandDropIsValidatedAndItsFindingsReachTheNotificationCommand() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(visma: simulator.baseURL)
            try venue.drop("invalid/customers-rules.csv", as: "customers.csv")
            let checked = try await offCooperativePool { try venue.checkDrop() }
            #expect(checked.status == 65, "\(checked)")
            let halt = try #require(try HaltRecord.current(in: venue.root))
            let report = venue.root.batchFolder(halt.batchId).appendingPathComponent("report.txt")
            let told = venue.told
            #expect(told.count == 1)
            let line = try #require(told.first)
            #expect(
                line.hasPrefix(
                    "drop-checked|\(report.path)|FlexyVisma inbox check: batch \(halt.batchId) from the drop was REJECTED with 7 finding(s), nothing was sent; the first 5: customers.csv:2:4: error[customer.missing-required]"
                ))
            #expect(line.contains("customers.csv:3:7: error[customer.invalid-email]"))
            #expect(line.contains("customers.csv:2:4: error[customer.missing-required]: postal_code is required"))
            #expect(!venue.inInbox("customers.csv"))
            // Told now, with the findings: the night retries the halt but does not tell it a second time.
            #expect(checked.standardOutput.contains("REJECTED"))
        }
    }

    @Test func anAcceptedDropIsReportedAndAFileStillBeingWrittenIsLeftAlone() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(visma: simulator.baseURL, settleSeconds: 1)
            try venue.drop("valid/customers.csv", as: "customers.csv")
            try venue.drop("valid/items.csv", as: "items.csv.part")
            let checked = try await offCooperativePool { try venue.checkDrop() }
            #expect(checked.status == 0, "\(checked)")
            let batch = try #require(venue.root.batchesInProgress().first)
            #expect(
                venue.told == [
                    "drop-checked|\(venue.root.batchFolder(batch).appendingPathComponent("report.txt").path)|FlexyVisma inbox check: batch \(batch) from the drop was accepted (2 customers); it goes to Visma with the next night (or `flexyvisma run` now). Report: batches/\(batch)/report.txt"
                ])
            #expect(try HaltRecord.current(in: venue.root) == nil)
            #expect(venue.inInbox("items.csv.part"))
            #expect(
                !FileManager.default.fileExists(
                    atPath: venue.root.batchFolder(batch).appendingPathComponent("items.csv").path))
            // The watcher fires again on the pickup's own removal: with only a file being written left, nothing happens.
            let logs = try FileManager.default.contentsOfDirectory(atPath: venue.root.logs.path)
            let again = try venue.checkDrop()
            #expect(again.status == 0)
            #expect(again.standardOutput.contains("nothing in \(venue.root.inbox.path) to check"))
            #expect(venue.told.count == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: venue.root.logs.path) == logs)
        }
    }

    @Test func whenTheNightHoldsTheRootLockTheCheckWaitsThenLeavesTheDropToTheNight() async throws {
        // Nothing here reaches Visma: the check never gets as far as validating.
        let venue = try Venue(visma: "http://127.0.0.1:9")
        try venue.drop("valid/customers.csv", as: "customers.csv")
        // Taken as `flexyvisma run` takes it.
        let lock = try FileLock.acquire(
            venue.root.state.appendingPathComponent("run.lock"), purpose: "flexyvisma run since the test began")
        let checked = try venue.checkDrop(["--wait-for-night", "1"])
        withExtendedLifetime(lock) {}
        #expect(checked.status == 0, "\(checked)")
        #expect(checked.standardOutput.contains("flexyvisma run since the test began holds \(venue.root.url.path)"))
        #expect(checked.standardOutput.contains("the drop is left to it"))
        #expect(venue.inInbox("customers.csv"))
        #expect(venue.root.batchesInProgress().isEmpty)
        #expect(venue.told.isEmpty)
    }

    @Test func aDropWhileHaltedIsReportedAsQueuedAndNotValidatedButACorrectionIsChecked() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(visma: simulator.baseURL)
            try venue.drop("invalid/customers-rules.csv", as: "customers.csv")
            let halting = try await offCooperativePool {
                try ChildProcess.run(venue.umbrella, ["validate", "--root", venue.root.url.path])
            }
            #expect(halting.status == 65, "\(halting)")
            let halt = try #require(try HaltRecord.current(in: venue.root))

            try venue.drop("valid/items.csv", as: "items.csv")
            let queued = try await offCooperativePool { try venue.checkDrop() }
            #expect(queued.status == 69, "\(queued)")
            #expect(venue.told.count == 1)
            #expect(
                venue.told.first?.hasPrefix(
                    "drop-queued||FlexyVisma inbox check: the drop in inbox/ (items.csv) is queued behind the halt and was not validated: the pipeline is halted: batch \(halt.batchId)"
                ) == true)
            #expect(venue.inInbox("items.csv"))
            #expect(venue.root.batchesInProgress() == [halt.batchId])

            // The corrected file under the refused name is what the halt waits for: it is validated now.
            try venue.drop("valid/customers.csv", as: "customers.csv")
            let corrected = try await offCooperativePool { try venue.checkDrop() }
            #expect(corrected.status == 0, "\(corrected)")
            #expect(try HaltRecord.current(in: venue.root) == nil)
            #expect(venue.told.count == 2)
            // Taken as the next night takes it: the corrected file with the drops that waited behind the halt.
            let told = try #require(venue.told.last)
            #expect(told.hasPrefix("drop-checked|"))
            #expect(told.contains("from the drop was accepted (2 customers, "), "\(told)")
            #expect(!venue.inInbox("items.csv"))
        }
    }

    @Test func aRejectionTheCheckToldIsNotToldAgainByTheNight() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let night = try NightlyRunTests.Venue(simulator: simulator, corrected: true)
            let notifications = night.folder.path("notifications.txt")
            var configuration = try PipelineConfiguration.load(from: night.root)
            configuration.notifications.command =
                "cat > /dev/null; printf '%s|%s\\n' \"$FLEXYVISMA_EVENT\" >> \(notifications.path)"
            try configuration.encoded().write(to: night.root.configFile)
            let first = try await offCooperativePool { try night.run(["run"]) }
            #expect(first.status == 0, "\(first)")

            try FileManager.default.copyItem(
                at: Repository.samples.appendingPathComponent("drops/invalid/customers-rules.csv"),
                to: night.root.inbox.appendingPathComponent("customers.csv"))
            let checked = try await offCooperativePool {
                try ChildProcess.run(night.umbrella, ["check-drop", "--root", night.root.url.path])
            }
            #expect(checked.status == 65, "\(checked)")
            let halted = try await offCooperativePool { try night.run(["run"]) }
            #expect(halted.status == 65, "\(halted)")
            let told = try String(contentsOf: notifications, encoding: .utf8).split(separator: "\n")
            #expect(told.count == 1)
            #expect(told.first?.hasPrefix("drop-checked|FlexyVisma inbox check: batch ") == true, "\(told)")
        }
    }
}

import FlexyVismaCore
import Foundation
import GRDB
import TestSupport
import Testing
import VismaSimulator

/// The bookkeeper's loop over several nights (issue 14): a night halts, the fix is made in FlexyBox,
/// and the next night — with no other command — leaves Visma as a clean night would have.
@Suite struct FixLoopNightsTests {
    typealias Venue = NightlyRunTests.Venue

    /// Everything the company holds, per kind, as canonical JSON without the instants and row ids Visma stamps.
    static func holdings(_ simulator: RunningSimulator) async throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for kind in EntityKind.allCases {
            let records = try await StrictCompanyNightsTests.records(simulator, kind.rawValue)
            result[kind.rawValue] = try records.map { record in
                let data = try JSONSerialization.data(withJSONObject: withoutInstants(record), options: [.sortedKeys])
                return String(decoding: data, as: UTF8.self)
            }.sorted()
        }
        return result
    }

    private static func withoutInstants(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            return object.filter { key, value in
                let name = key.lowercased()
                // The simulator's row ids count every create across kinds, so they follow the order of the nights.
                let rowId = name.hasSuffix("id") && value is NSNumber
                return !(name.contains("date") || name.contains("time") || name.contains("stamp") || rowId)
            }.mapValues(withoutInstants)
        }
        if let array = value as? [Any] { return array.map(withoutInstants) }
        return value
    }

    /// Every kind, every count, every record.
    static func expectSame(
        _ holdings: [String: [String]], _ clean: [String: [String]], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for kind in Set(holdings.keys).union(clean.keys).sorted() {
            let mine = holdings[kind] ?? []
            let theirs = clean[kind] ?? []
            #expect(
                mine.count == theirs.count, "\(kind): \(mine.count) held, \(theirs.count) after a clean night",
                sourceLocation: sourceLocation)
            let extra = Set(mine).subtracting(theirs)
            let missing = Set(theirs).subtracting(mine)
            #expect(
                extra.isEmpty && missing.isEmpty, "\(kind): extra \(extra.prefix(2)) missing \(missing.prefix(2))",
                sourceLocation: sourceLocation)
        }
    }

    /// What a clean night of the corrected sample venue leaves in the company.
    static func cleanNight() async throws -> [String: [String]] {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let run = try await offCooperativePool { try venue.run(["run"]) }
            #expect(run.status == 0, "\(run)")
            return try await holdings(simulator)
        }
    }

    static func batchFolders(_ venue: Venue) throws -> [String] {
        let inbox = try FileManager.default.contentsOfDirectory(atPath: venue.root.inbox.path).filter {
            BatchID($0) != nil
        }
        let batches = try FileManager.default.contentsOfDirectory(atPath: venue.root.batches.path).filter {
            BatchID($0) != nil
        }
        return (inbox + batches).sorted()
    }

    @Test func theNightAfterAFixInFlexyBoxLeavesVismaAsACleanNightWould() async throws {
        let clean = try await Self.cleanNight()
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let notificationFolder = try TemporaryFolder("flexyvisma-fixloop-notify")
            let notifications = notificationFolder.path("told.txt")
            let venue = try Venue(simulator: simulator, corrected: false, notify: notifications)
            #expect(try await offCooperativePool { try venue.run(["run"]) }.status == 65)
            let halted = try #require(try HaltRecord.current(in: venue.root))
            let status = try venue.run(["status"]).standardOutput
            #expect(
                status.contains(
                    "correct it in FlexyBox: the next night (or `flexyvisma retry`) exports this batch's days and records again"
                ))

            // With nothing fixed, further nights stay halted: no new batch, no new notification.
            let before = try Self.batchFolders(venue)
            for _ in 0..<2 {
                let night = try await offCooperativePool { try venue.run(["run"]) }
                #expect(night.status == 65)
                #expect(night.standardOutput.contains("nothing in FlexyBox changed for its days and records"))
            }
            #expect(try Self.batchFolders(venue) == before)
            #expect(try HaltRecord.current(in: venue.root)?.batchId == halted.batchId)
            let told = try String(contentsOf: notifications, encoding: .utf8)
            #expect(told.components(separatedBy: "\"halted\" : true").count - 1 == 1)

            // The bookkeeper corrects the customers in FlexyBox; the next night, no other command.
            try Venue.applyCorrections(to: venue.root.resolve("source/flexybox.sqlite"))
            let fixed = try await offCooperativePool { try venue.run(["run"]) }
            #expect(fixed.status == 0, "\(fixed)")
            Self.expectSame(try await Self.holdings(simulator), clean)
            #expect(try HaltRecord.current(in: venue.root) == nil)
            #expect(venue.archived.count == 2)
            let show = try venue.run(["audit", "show", halted.batchId.rawValue]).standardOutput
            #expect(show.contains("superseded by batch"))
            #expect(try venue.run(["audit", "verify"]).status == 0)
            let after = try venue.run(["status"]).standardOutput
            #expect(after.contains("Running normally"))
            #expect(!after.contains("ATTENTION"))
            withExtendedLifetime(notificationFolder) {}
        }
    }

    /// Killed after the replacement reached the inbox and before the halted batch was marked: the next
    /// night finishes the replacement and nothing is sent twice.
    @Test func aKillWhileReplacingTheHaltedBatchIsFinishedByTheNextNight() async throws {
        let clean = try await Self.cleanNight()
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: false)
            #expect(try await offCooperativePool { try venue.run(["run"]) }.status == 65)
            let halted = try #require(try HaltRecord.current(in: venue.root))
            try Venue.applyCorrections(to: venue.root.resolve("source/flexybox.sqlite"))
            let export = ChildProcess.executable("flexyvisma-export")
            let running = try ChildProcess.start(
                export, ["--root", venue.root.url.path], environment: ["FLEXYVISMA_FAULT": "stall-before-supersede"])
            // Wait (no deadline) until the replacement is in the inbox.
            while try FileManager.default.contentsOfDirectory(atPath: venue.root.inbox.path).filter({
                BatchID($0) != nil
            }).isEmpty {
                guard running.process.isRunning else { break }
                usleep(20_000)
            }
            running.kill()
            #expect(try HaltRecord.current(in: venue.root)?.batchId == halted.batchId)
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night)")
            Self.expectSame(try await Self.holdings(simulator), clean)
            #expect(
                try venue.run(["audit", "show", halted.batchId.rawValue]).standardOutput.contains("superseded by batch")
            )
            #expect(try venue.run(["audit", "verify"]).status == 0)
        }
    }

    @Test func discardingTheHaltedBatchGivesItsWeekBackToTheNextNight() async throws {
        let clean = try await Self.cleanNight()
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: false)
            #expect(try await offCooperativePool { try venue.run(["run"]) }.status == 65)
            let halted = try #require(try HaltRecord.current(in: venue.root))
            let discard = try venue.run([
                "discard", halted.batchId.rawValue, "--reason", "customers are being corrected in FlexyBox",
            ])
            #expect(discard.status == 0, "\(discard)")
            #expect(discard.standardOutput.contains("the next export takes again"))
            // Exported, not booked, and owed to the next export: waiting, never missing.
            let waiting = try venue.run(["status"]).standardOutput
            #expect(waiting.contains("exported, not yet booked"))
            #expect(!waiting.contains("ATTENTION"))

            try Venue.applyCorrections(to: venue.root.resolve("source/flexybox.sqlite"))
            let next = try await offCooperativePool { try venue.run(["run"]) }
            #expect(next.status == 0, "\(next)")
            Self.expectSame(try await Self.holdings(simulator), clean)
            let metrics = try String(
                contentsOf: venue.root.state.appendingPathComponent("metrics.prom"), encoding: .utf8)
            #expect(metrics.contains("flexyvisma_business_days{venue=\"Café Havnegade\",state=\"unaccounted\"} 0"))
            #expect(metrics.contains("flexyvisma_days_exported_not_booked{venue=\"Café Havnegade\"} 0"))
        }
    }

    @Test func discardWithAbandonLeavesTheDaysOutAndStatusSaysSo() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: false)
            #expect(try await offCooperativePool { try venue.run(["run"]) }.status == 65)
            let halted = try #require(try HaltRecord.current(in: venue.root))
            let discard = try venue.run([
                "discard", halted.batchId.rawValue, "--reason", "booked by hand in Visma", "--abandon",
            ])
            #expect(discard.status == 0, "\(discard)")
            let next = try await offCooperativePool { try venue.run(["run"]) }
            #expect(next.status == 0, "\(next)")
            #expect(try await RunningSimulatorEntities.count(simulator, "journalTransaction") == 0)
            let status = try venue.run(["status"]).standardOutput
            #expect(status.contains("abandoned: 2026-11-22 Café: booked by hand in Visma"))
            #expect(!status.contains("ATTENTION"))
            #expect(
                try venue.run(["audit", "show", halted.batchId.rawValue]).standardOutput.contains("batch.abandoned"))
        }
    }

    /// A receipt FlexyBox learns of after its day was exported (an offline till syncing late) is a day
    /// with sales that no batch carries: the night fails and says so instead of reporting success.
    @Test func aDayWithSalesThatNoBatchCarriesFailsTheNightAndNotifies() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let notificationFolder = try TemporaryFolder("flexyvisma-daycheck-notify")
            let notifications = notificationFolder.path("told.txt")
            let venue = try Venue(simulator: simulator, corrected: true, notify: notifications)
            #expect(try await offCooperativePool { try venue.run(["run"]) }.status == 0)
            let source = try DatabaseQueue(path: venue.root.resolve("source/flexybox.sqlite").path)
            try await source.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO receipts (number, department, register, business_day, time) VALUES (199999, 'restaurant', 'K9', '2026-11-29', '2026-11-29T20:00:00+01:00')"
                )
            }
            try source.close()
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 70, "\(night)")
            #expect(night.standardOutput.contains("2026-11-29 Restaurant"))
            #expect(try venue.run(["status"]).standardOutput.contains("ATTENTION: 1 department day(s) with sales"))
            #expect(try String(contentsOf: notifications, encoding: .utf8).contains("missing from the books"))
            withExtendedLifetime(notificationFolder) {}
        }
    }
}

/// A hand-dropped batch has no source to read again: a corrected drop of the refused file replaces it.
@Suite struct CorrectedDropTests {
    @Test func aCorrectedDropOfTheRefusedFileReplacesTheHaltedBatchAtTheNextNight() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let folder = try TemporaryFolder("flexyvisma-corrected-drop")
            let root = PipelineRoot(folder.path("venue"))
            let umbrella = ChildProcess.executable("flexyvisma")
            #expect(
                try ChildProcess.run(umbrella, ["init", root.url.path, "--visma-url", simulator.baseURL]).status == 0)
            var configuration = try PipelineConfiguration.load(from: root)
            configuration.pipeline.settleSeconds = 0
            configuration.source = nil
            try configuration.encoded().write(to: root.configFile)
            let drops = Repository.samples.appendingPathComponent("drops")
            func drop(_ sample: String, as name: String) throws {
                try FileManager.default.copyItem(
                    at: drops.appendingPathComponent(sample), to: root.inbox.appendingPathComponent(name))
            }
            func run(_ arguments: [String]) async throws -> ProcessResult {
                try await offCooperativePool { try ChildProcess.run(umbrella, arguments + ["--root", root.url.path]) }
            }
            try drop("valid/items.csv", as: "items.csv")
            try drop("invalid/customers-rules.csv", as: "customers.csv")
            #expect(try await run(["run"]).status == 65)
            let halted = try #require(try HaltRecord.current(in: root))
            #expect(
                try await run(["status"]).standardOutput.contains(
                    "drop the corrected file(s) into inbox/ under the same name(s)"))

            // A drop that corrects nothing the halt refused waits behind it.
            try drop("valid/payments.csv", as: "payments.csv")
            let behind = try await run(["run"])
            #expect(behind.status == 65, "\(behind.standardOutput) \(behind.standardError.suffix(3000))")
            #expect(FileManager.default.fileExists(atPath: root.inbox.appendingPathComponent("payments.csv").path))
            try FileManager.default.removeItem(at: root.inbox.appendingPathComponent("payments.csv"))
            let waiting = try await run(["status"]).standardOutput
            #expect(!waiting.contains("a correction of batch"))

            try drop("valid/customers.csv", as: "customers.csv")
            #expect(
                try await run(["status"]).standardOutput.contains(
                    "inbox/customers.csv  a correction of batch \(halted.batchId)"))
            let night = try await run(["run"])
            #expect(night.status == 0, "\(night)")
            #expect(try HaltRecord.current(in: root) == nil)
            #expect(
                try await RunningSimulatorEntities.count(simulator, "customer") == 2,
                "\(night.standardOutput) \(night.standardError.suffix(3000))")
            #expect(try await RunningSimulatorEntities.count(simulator, "inventory") > 0, "\(night)")
            let show = try await run(["audit", "show", halted.batchId.rawValue]).standardOutput
            #expect(show.contains("superseded by batch"))
            #expect(show.contains("a corrected drop of customers.csv (kept from it: items.csv)"))
            #expect(try await run(["audit", "verify"]).status == 0)
        }
    }
}

import FlexyVismaCore
import Foundation
import GRDB
import TestSupport
import Testing
import VismaSimulator

/// `flexyvisma run`, `status`, `retry`, `discard` and `audit` as child processes against the simulator.
@Suite struct NightlyRunTests {
    struct Venue: @unchecked Sendable {
        let folder: TemporaryFolder
        let root: PipelineRoot
        let umbrella = ChildProcess.executable("flexyvisma")

        init(simulator: RunningSimulator, corrected: Bool, notify: URL? = nil) throws {
            folder = try TemporaryFolder("flexyvisma-nightly")
            root = PipelineRoot(folder.path("venue"))
            let result = try ChildProcess.run(umbrella, ["init", root.url.path, "--visma-url", simulator.baseURL])
            #expect(result.status == 0)
            var configuration = try PipelineConfiguration.load(from: root)
            configuration.pipeline.settleSeconds = 0
            if let notify { configuration.notifications.command = "cat >> \(notify.path); echo >> \(notify.path)" }
            try configuration.encoded().write(to: root.configFile)
            let source = root.resolve("source/flexybox.sqlite")
            try Repository.buildSampleVenue(at: source)
            if corrected { try Venue.applyCorrections(to: source) }
        }

        static func applyCorrections(to source: URL) throws {
            let queue = try DatabaseQueue(path: source.path)
            let corrections = try String(
                contentsOf: Repository.samples.appendingPathComponent("venue/corrections.sql"), encoding: .utf8)
            try queue.inDatabase { db in try db.execute(sql: corrections) }
            try queue.close()
        }

        func run(_ arguments: [String]) throws -> ProcessResult {
            try ChildProcess.run(umbrella, arguments + ["--root", root.url.path])
        }

        var archived: [URL] {
            let enumerator = FileManager.default.enumerator(at: root.archive, includingPropertiesForKeys: nil)
            return (enumerator?.allObjects as? [URL] ?? []).filter { BatchID($0.lastPathComponent) != nil }
        }
    }

    @Test func aNightlyRunSendsTheWeekArchivesItAndAnswersTheAuditor() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let run = try await offCooperativePool { try venue.run(["run"]) }
            #expect(run.status == 0, "\(run)")
            #expect(venue.archived.count == 1)
            let batch = try #require(venue.archived.first)
            let attributes = try FileManager.default.attributesOfItem(
                atPath: batch.appendingPathComponent("items.csv").path)
            // Read-only, and for the owner and the readers' group only (docs/SECURITY.md): never world-readable.
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o440)
            #expect(try FileManager.default.contentsOfDirectory(atPath: venue.root.batches.path).isEmpty)
            // One night, one log file: the stages log under the run's id.
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: venue.root.logs.path).filter {
                    $0.hasSuffix(".jsonl")
                }.count == 1)
            let metrics = try String(
                contentsOf: venue.root.state.appendingPathComponent("metrics.prom"), encoding: .utf8)
            #expect(metrics.contains("flexyvisma_last_run_exit_code{venue=\"Café Havnegade\"} 0"))
            #expect(
                metrics.contains("flexyvisma_records_sent{venue=\"Café Havnegade\",kind=\"journalTransaction\"} 14"))
            #expect(try venue.run(["status"]).standardOutput.contains("Running normally"))
            let json = try venue.run(["status", "--json"]).standardOutput
            #expect(json.contains("\"halted\" : false"))
            let again = try await offCooperativePool { try venue.run(["run"]) }
            #expect(again.status == 0)
            #expect(again.standardOutput.contains("nothing to do"))

            #expect(try venue.run(["audit", "verify"]).status == 0)
            let item = try venue.run(["audit", "find", "--item", "1004"])
            #expect(item.standardOutput.contains("item 1004 (items.csv:"))
            #expect(item.standardOutput.contains("sent to Visma as inventory 1004"))
            #expect(item.standardOutput.contains("kit specification 1004/1"))
            let receipt = try venue.run(["audit", "find", "--receipt", "100002"])
            #expect(
                receipt.standardOutput.contains(
                    "receipt 100002 in receipts-cafe-2026-11-22.xml (Café, 2026-11-22) — posted in journal POS20261122-1"
                ))
            let bowling = try venue.run(["audit", "find", "--receipt", "100028"])
            #expect(bowling.standardOutput.contains("department not sent to Visma"))

            // Tampering is named: an archived file, a manifest, a removed batch.
            let items = batch.appendingPathComponent("items.csv")
            try Data("item_number\n".utf8).write(to: items)
            let tampered = try venue.run(["audit", "verify"])
            #expect(tampered.status != 0)
            #expect(tampered.standardOutput.contains("items.csv: changed since"))
            try Data(
                "item_number,name,kind,item_group,unit,sales_price,cost_price,vat_code,visma_item_class,active\n".utf8
            ).write(to: items)
            let manifestURL = batch.appendingPathComponent("validate.manifest.json")
            var manifestText = try String(contentsOf: manifestURL, encoding: .utf8)
            manifestText = manifestText.replacingOccurrences(
                of: "\"status\" : \"accepted\"", with: "\"status\" : \"rejected\"")
            try Data(manifestText.utf8).write(to: manifestURL)
            let edited = try venue.run(["audit", "verify"])
            #expect(edited.status != 0)
            #expect(edited.standardOutput.contains("validate.manifest.json: not on the hash chain"))
            try FileManager.default.removeItem(at: batch)
            let removed = try venue.run(["audit", "verify"])
            #expect(removed.standardOutput.contains("missing or was changed"))
        }
    }

    @Test func aHaltBlocksTheQueueIsToldOnceAndRetryFinishesInOrder() async throws {
        var company = CompanyFixture.sampleVenue
        company.suppliers.removeAll { $0.name == "Vinhuset Ribe" }
        try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true, notify: nil)
            let notifications = venue.folder.path("notifications.txt")
            var configuration = try PipelineConfiguration.load(from: venue.root)
            configuration.notifications.command = "cat >> \(notifications.path); echo >> \(notifications.path)"
            try configuration.encoded().write(to: venue.root.configFile)
            let first = try await offCooperativePool { try venue.run(["run"]) }
            #expect(first.status == 65)
            let status = try venue.run(["status"]).standardOutput
            #expect(status.contains("HALTED"))
            #expect(status.contains("no Visma supplier is named \"Vinhuset Ribe\""))
            // A drop behind the halt waits; a second halted night does not notify again.
            try Data(
                "payment_id,date,customer_number,payment_type,amount\nP-X-1,2026-11-28,K-1001,Dankort,100.00\n".utf8
            )
            .write(to: venue.root.inbox.appendingPathComponent("payments.csv"))
            let second = try await offCooperativePool { try venue.run(["run"]) }
            #expect(second.status == 65)
            #expect(
                FileManager.default.fileExists(atPath: venue.root.inbox.appendingPathComponent("payments.csv").path))
            let told = try String(contentsOf: notifications, encoding: .utf8)
            #expect(told.components(separatedBy: "\"halted\" : true").count - 1 == 1)
            #expect(told.contains("Vinhuset Ribe"))

            // A second concurrent run is refused while one holds the lock.
            do {
                let lock = try FileLock.acquire(
                    venue.root.state.appendingPathComponent("run.lock"), purpose: "night shift")
                let concurrent = try venue.run(["run"])
                #expect(concurrent.status == 75)
                #expect(concurrent.standardError.contains("night shift"))
                withExtendedLifetime(lock) {}
            }

            // The bookkeeper creates the supplier; retry finishes the halted batch and then the drop behind it.
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            #expect(
                try await client.send(
                    "POST", "/_simulator/fixture",
                    json: #"{"suppliers": [{"number": "50007", "name": "Vinhuset Ribe", "status": "Active"}]}"#,
                    record: false
                ).status == 200)
            let retried = try await offCooperativePool { try venue.run(["retry"]) }
            #expect(retried.status == 0, "\(retried.standardOutput.suffix(1500)) \(retried.standardError.suffix(2500))")
            #expect(venue.archived.count == 2)
            let names = venue.archived.map(\.lastPathComponent).sorted()
            #expect(try await RunningSimulatorEntities.count(simulator, "customerPayment") == 12)
            #expect(names.count == 2)
            #expect(try venue.run(["status"]).standardOutput.contains("Running normally"))
        }
    }

    @Test func discardMovesTheQueueAndTheAuditShowsIt() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: false)
            #expect(try await offCooperativePool { try venue.run(["run"]) }.status == 65)
            let halted = try #require(try HaltRecord.current(in: venue.root))
            let discard = try venue.run([
                "discard", halted.batchId.rawValue, "--reason", "customers corrected in FlexyBox",
            ])
            #expect(discard.status == 0, "\(discard)")
            #expect(try HaltRecord.current(in: venue.root) == nil)
            let show = try venue.run(["audit", "show", halted.batchId.rawValue])
            #expect(show.standardOutput.contains("discard (discard.manifest.json): skipped"))
            #expect(show.standardOutput.contains("customers corrected in FlexyBox"))
            #expect(show.standardOutput.contains("refused: customers.csv:18:5: error[customer.missing-required]"))
            #expect(try venue.run(["audit", "verify"]).status == 0)
            #expect(try venue.run(["status"]).standardOutput.contains("Running normally"))
        }
    }
}

enum RunningSimulatorEntities {
    static func count(_ simulator: RunningSimulator, _ kind: String) async throws -> Int {
        let response = try await VismaTestClient(baseURL: simulator.baseURL).send(
            "GET", "/_simulator/entities?kind=\(kind)", record: false)
        return (response.jsonObject[kind] as? [String: Any])?["count"] as? Int ?? -1
    }
}

@Suite struct PlanAndReportTests {
    @Test func planListsExactlyWhatTheUploadThenDoesAndTheReportShowsIt() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try NightlyRunTests.Venue(simulator: simulator, corrected: true)
            for stage in ["export", "validate", "transform"] {
                let result = try await offCooperativePool { try venue.run([stage]) }
                #expect(result.status == 0, "\(stage): \(result)")
            }
            let planned = try venue.run(["plan"])
            #expect(planned.status == 0)
            let creates = Set(
                planned.standardOutput.split(separator: "\n").filter { $0.hasPrefix("    create ") }.map {
                    $0.dropFirst("    create ".count).split(separator: " ").prefix(2).joined(separator: " ")
                })
            #expect(creates.count == 156)
            #expect(planned.standardOutput.contains("inventory: 81 to create, 0 to update, 0 to skip"))
            // Plan wrote nothing: the upload afterwards does exactly what it listed.
            #expect(
                !FileManager.default.fileExists(atPath: venue.root.state.appendingPathComponent("ledger.sqlite").path))
            let upload = try await offCooperativePool { try venue.run(["upload"]) }
            #expect(upload.status == 0)
            let batch = try #require(try FileManager.default.contentsOfDirectory(atPath: venue.root.batches.path).first)
            let manifest = try StageManifest.decode(
                Data(
                    contentsOf: venue.root.batches.appendingPathComponent(batch).appendingPathComponent(
                        "upload.manifest.json")))
            // Plan lists records; the vouchers attached to the day journals (two per journal) are not among them.
            let sent = Set(
                (manifest.upload?.vismaIds ?? [:]).filter { $0.key != "voucher" }.flatMap { kind, ids in
                    ids.keys.map { "\(kind) \($0)" }
                })
            #expect(sent == creates)
            #expect(manifest.upload?.vismaIds["voucher"]?.count == 28)

            // The report: the batch, its totals, the chain status; self-contained.
            let report = venue.folder.path("report.html")
            #expect(try venue.run(["audit", "report", "--html", report.path]).status == 0)
            let html = try String(contentsOf: report, encoding: .utf8)
            #expect(html.contains(batch))
            #expect(html.contains("5162.70"))
            #expect(html.contains("Archive intact"))
            #expect(html.contains("<svg"))
            #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
        }
    }
}

@Suite struct PruneTests {
    @Test func pruningRemovesOldBatchesAndTheChainStillVerifies() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try NightlyRunTests.Venue(simulator: simulator, corrected: true)
            #expect(try await offCooperativePool { try venue.run(["run"]) }.status == 0)
            let batch = try #require(venue.archived.first)
            // The legal default keeps the 2026 week: it is far inside 5 full years.
            let kept = try venue.run(["archive", "prune"])
            #expect(kept.standardOutput.contains("nothing to prune"))
            let dry = try venue.run(["archive", "prune", "--older-than", "0d", "--dry-run"])
            #expect(dry.standardOutput.contains("would prune \(batch.lastPathComponent)"))
            #expect(FileManager.default.fileExists(atPath: batch.path))
            #expect(try venue.run(["archive", "prune", "--older-than", "0d"]).status == 0)
            #expect(!FileManager.default.fileExists(atPath: batch.path))
            let verify = try venue.run(["audit", "verify"])
            #expect(verify.status == 0, "\(verify)")
            let record = try String(
                contentsOf: venue.root.archive.appendingPathComponent("pruned.json"), encoding: .utf8)
            #expect(record.contains(batch.lastPathComponent))
            #expect(record.contains("upload.manifest.json"))
        }
    }
}

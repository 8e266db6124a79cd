import FlexyVismaCore
import Foundation
import StateStore
import TestSupport
import Testing
import VismaPayloads
import VismaSimulator
import VismaUpload

/// Exactly once under faults, rate limits and kills: every record ends in Visma once, none twice.
@Suite struct FaultAndCrashTests {
    static let expected = [
        "inventory": 81, "kitSpecification": 23, "customer": 22, "customerPayment": 11, "purchaseOrder": 5,
        "journalTransaction": 14,
    ]

    /// Each kind holds exactly the payloads' keys.
    func expectExactlyOnce(
        _ fixture: PipelineFixture, _ id: BatchID, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let payloads = try fixture.payloads(id)
        for (kind, count) in Self.expected {
            let records = try await fixture.entities(kind)
            #expect(records.count == count, "\(kind)", sourceLocation: sourceLocation)
            let keyField = [
                "inventory": "inventoryNumber", "customer": "number", "customerPayment": "refNbr",
                "purchaseOrder": "orderNbr",
                "journalTransaction": "batchNumber",
            ][kind]
            if let keyField {
                let keys = Set(records.compactMap { $0[keyField] as? String })
                #expect(
                    keys == Set(payloads.filter { $0.kind == kind }.map(\.key)), "\(kind)",
                    sourceLocation: sourceLocation)
            }
        }
    }

    @Test func twentyPercentFaultsOfEveryKindAndARateLimitStillLandEveryRecordOnce() async throws {
        let configuration = SimulatorConfiguration(rateLimit: RateLimit(requests: 80, windowSeconds: 1), seed: 42)
        try await RunningSimulator.with(configuration) { simulator in
            let fixture = try PipelineFixture(simulator: simulator, parallelism: 4)
            let id = try await fixture.prepareBatch()
            let admin = try VismaTestClient(baseURL: simulator.baseURL)
            let spec = "500:0.02,502:0.03,503:0.03,504:0.02,drop:0.03,lost:0.05,token-expiry:0.02"
            #expect(try await admin.send("POST", "/_simulator/faults", json: spec, record: false).status == 200)

            // An operator's nights: run; after a refusal (an injected 500) retry; after a temporary failure run again.
            var runs = 0
            var retries = 0
            var rateLimited = 0
            var lookups = 0
            var retrying = false
            while runs < 30 {
                runs += 1
                let outcome: UploadOutcome
                do {
                    outcome = try await fixture.upload(retry: retrying)
                } catch let failure as any PipelineFailure where failure.exitStatus == .temporaryFailure {
                    retrying = try HaltRecord.current(in: fixture.root) != nil
                    continue
                }
                retries += outcome.manifest?.upload?.retries ?? 0
                rateLimited += outcome.manifest?.upload?.rateLimited ?? 0
                lookups += outcome.manifest?.upload?.lookups ?? 0
                if outcome.exitStatus == .success { break }
                // Halted (a refusal, also one a temporary failure of its retry left in place): retry, as `run` does.
                retrying = try HaltRecord.current(in: fixture.root) != nil
            }
            #expect(runs < 30)
            #expect(try HaltRecord.current(in: fixture.root) == nil)
            try await expectExactlyOnce(fixture, id)
            // The faults really happened and were survived: retries, existence lookups after lost answers.
            let log = try await admin.send("GET", "/_simulator/requests", record: false)
            let faults = (log.jsonObject["requests"] as? [[String: Any]] ?? []).compactMap { $0["fault"] as? String }
            #expect(faults.contains("lost"))
            #expect(faults.contains("drop"))
            #expect(faults.contains("token-expiry"))
            #expect(retries > 0)
            #expect(lookups > 0)
        }
    }

    /// How many of the batch's records the ledger holds as done or refused.
    static func recordedOutcomes(_ root: PipelineRoot, _ batch: BatchID) -> Int {
        let entries = (try? UploadLedger.Reader.open(root: root)?.entries(batch: batch)) ?? [:]
        return entries.values.filter { $0.state == .done || $0.state == .rejected }.count
    }

    /// `flexyvisma-upload` killed with SIGKILL at seeded random moments, restarted after each kill.
    @Test func killedUploadsResumeWithoutLosingOrDuplicatingRecords() async throws {
        let configuration = SimulatorConfiguration(
            rateLimit: nil, faults: try FaultPlan(parsing: "delay:0.5@15ms"), seed: 7)
        try await RunningSimulator.with(configuration) { simulator in
            let fixture = try PipelineFixture(simulator: simulator, parallelism: 4)
            let id = try await fixture.prepareBatch()
            let environment = ["FLEXYVISMA_CLIENT_SECRET": ClientSecret.simulatorDemoSecret]
            // The waiting and the child processes stay off the cooperative pool the in-process simulator needs.
            let engine = simulator.engine
            let root = fixture.root
            let kills = try await offCooperativePool { () -> Int in
                var generator = SystemRandomNumberGenerator()
                var kills = 0
                for _ in 0..<4 {
                    let before = engine.requestCount
                    let recorded = Self.recordedOutcomes(root, id)
                    let running = try ChildProcess.start(
                        ChildProcess.executable("flexyvisma-upload"), ["--root", root.url.path],
                        environment: environment)
                    let threshold = before + Int.random(in: 5...40, using: &generator)
                    while engine.requestCount < threshold, running.process.isRunning { usleep(2_000) }
                    // Killed only once the run has recorded an outcome: two kills in a row that moved nothing are
                    // a crash loop, which halts the batch by design (StageRunMarker.crashLimit).
                    while Self.recordedOutcomes(root, id) == recorded, running.process.isRunning { usleep(20_000) }
                    if running.process.isRunning {
                        running.kill()
                        kills += 1
                    } else {
                        running.process.waitUntilExit()
                    }
                }
                return kills
            }
            #expect(kills >= 3)
            let final = try await offCooperativePool {
                try ChildProcess.run(
                    ChildProcess.executable("flexyvisma-upload"), ["--root", root.url.path], environment: environment)
            }
            #expect(final.status == 0, "\(final)")
            try await expectExactlyOnce(fixture, id)
            let manifest = try StageManifest.decode(
                Data(contentsOf: fixture.root.batchFolder(id).appendingPathComponent("upload.manifest.json")))
            #expect(manifest.status == .accepted)
        }
    }
}

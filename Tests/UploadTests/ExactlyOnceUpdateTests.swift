import FlexyVismaCore
import Foundation
import GRDB
import PipelineOperations
import TestSupport
import Testing
import VismaPayloads
import VismaSimulator
import VismaUpload

/// Updates are never lost and records Visma already has are compared before they are taken as ours
/// (issue 13, item 5) — the upload as a child process, the simulator over HTTP.
@Suite(.serialized) struct ExactlyOnceUpdateTests {
    static let newCity = "Odense SØ"

    /// The sample week uploaded, then K-1001's city changed in FlexyBox: a second batch holding one customer PUT.
    static func changedCustomerBatch(_ fixture: PipelineFixture) async throws -> BatchID {
        _ = try await fixture.prepareBatch()
        #expect(try await fixture.upload().exitStatus == .success)
        let queue = try DatabaseQueue(path: fixture.root.resolve("source/flexybox.sqlite").path)
        try await queue.write { db in
            try db.execute(
                sql:
                    "UPDATE customers SET city = ?, modified_at = '2026-11-29T09:00:00+01:00' WHERE customer_number = 'K-1001'",
                arguments: [newCity])
        }
        try queue.close()
        let id = try await fixture.prepareBatch()
        #expect(try fixture.payloads(id).map { "\($0.method) \($0.path)" } == ["PUT /v1/customer/K-1001"])
        return id
    }

    static func city(_ simulator: RunningSimulator, _ customer: String) async throws -> String? {
        let client = try VismaTestClient(baseURL: simulator.baseURL)
        try await client.authenticate()
        return (try await client.get("/v1/customer/\(customer)").jsonObject["mainAddress"] as? [String: Any])?["city"]
            as? String
    }

    static func requests(_ simulator: RunningSimulator, _ method: String, _ path: String) async throws -> Int {
        let client = try VismaTestClient(baseURL: simulator.baseURL)
        let log = try await client.send("GET", "/_simulator/requests", record: false)
        return (log.jsonObject["requests"] as? [[String: Any]] ?? []).filter {
            $0["method"] as? String == method && $0["path"] as? String == path
        }.count
    }

    static func setFaults(_ simulator: RunningSimulator, _ spec: String) async throws {
        let client = try VismaTestClient(baseURL: simulator.baseURL)
        #expect(try await client.send("POST", "/_simulator/faults", json: spec, record: false).status < 300)
    }

    static func manifest(_ fixture: PipelineFixture, _ id: BatchID) throws -> StageManifest {
        try StageManifest.decode(
            Data(contentsOf: fixture.root.batchFolder(id).appendingPathComponent("upload.manifest.json")))
    }

    @Test func aCustomerPutUnconfirmedAfterEvery503IsSentAgainByTheNextUploadAndCountedOnce() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await Self.changedCustomerBatch(fixture)
            try await Self.setFaults(simulator, "503:1/PUT /v1/customer")
            let first = try await StageInputTests.runStage("upload", fixture.root)
            #expect(first.status == 75, "\(first)")
            #expect(try await Self.city(simulator, "K-1001") != Self.newCity)

            try await Self.setFaults(simulator, "")
            let second = try await StageInputTests.runStage("upload", fixture.root)
            #expect(second.status == 0, "\(second)")
            #expect(try await Self.city(simulator, "K-1001") == Self.newCity)
            let upload = try Self.manifest(fixture, id)
            #expect(upload.status == .accepted)
            #expect(upload.upload?.kinds["customer"]?.updated == 1)
            #expect(upload.upload?.kinds["customer"]?.created == 0)
        }
    }

    /// The kill lands while the PUT is in flight; the simulator applied it before its late answer, so the old
    /// address is put back to stand for a PUT that never arrived — the case the ledger cannot tell apart.
    @Test func aCustomerPutInFlightWhenTheUploadIsKilledIsSentAgainByTheNextRun() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await Self.changedCustomerBatch(fixture)
            let oldCity = try #require(try await Self.city(simulator, "K-1001"))
            try await Self.setFaults(simulator, "delay:#1@4000ms/PUT /v1/customer")
            let running = try ChildProcess.start(
                ChildProcess.executable("flexyvisma-upload"), ["--root", fixture.root.url.path],
                environment: StageInputTests.environment)
            while try await Self.requests(simulator, "PUT", "/v1/customer/K-1001") == 0, running.process.isRunning {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(running.process.isRunning, "the upload ended before its PUT was in flight")
            kill(running.process.processIdentifier, SIGKILL)
            while running.process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            #expect(
                try await client.put(
                    "/v1/customer/K-1001", #"{"mainAddress": {"value": {"city": {"value": "\#(oldCity)"}}}}"#
                ).status == 204)

            let next = try await StageInputTests.runStage("upload", fixture.root)
            #expect(next.status == 0, "\(next)")
            #expect(try await Self.city(simulator, "K-1001") == Self.newCity)
            #expect(try Self.manifest(fixture, id).upload?.kinds["customer"]?.updated == 1)
        }
    }

    /// The first raw material of the sample week created in Visma by someone else before the upload, with `description`.
    static func itemMadeElsewhere(
        _ fixture: PipelineFixture, description: String?
    ) async throws -> (BatchID, PayloadRecord) {
        let id = try await fixture.prepareBatch()
        let record = try #require(try fixture.payloads(id).first { $0.group == .rawMaterials && $0.method == "POST" })
        var body = try #require(try JSONSerialization.jsonObject(with: Data(record.bodyText.utf8)) as? [String: Any])
        if let description { body["description"] = ["value": description] }
        let client = try VismaTestClient(baseURL: fixture.simulator.baseURL)
        try await client.authenticate()
        let made = try await client.post(
            "/v1/inventory", String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(made.status == 201, "\(made.message)")
        return (id, record)
    }

    static func description(_ fixture: PipelineFixture, _ item: String) async throws -> String? {
        let client = try VismaTestClient(baseURL: fixture.simulator.baseURL)
        try await client.authenticate()
        return try await client.get("/v1/inventory/\(item)").jsonObject["description"] as? String
    }

    @Test func aCreateMeetingAnEqualRecordAdoptsIt() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let (id, record) = try await Self.itemMadeElsewhere(fixture, description: nil)
            let upload = try await StageInputTests.runStage("upload", fixture.root)
            #expect(upload.status == 0, "\(upload)")
            #expect(try Self.manifest(fixture, id).upload?.vismaIds["inventory"]?[record.key] == record.key)
        }
    }

    @Test func aCreateMeetingARecordWithOtherFlexyBoxFieldsHaltsShowingBothVersions() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let (_, record) = try await Self.itemMadeElsewhere(fixture, description: "Made by the old integration")
            let ours = try #require(record.body["description"]?["value"]?.stringValue)
            let upload = try await StageInputTests.runStage("upload", fixture.root)
            #expect(upload.status == 65, "\(upload)")
            let halt = try #require(try HaltRecord.current(in: fixture.root))
            #expect(halt.first?.rule == "visma.exists-different")
            #expect(halt.first?.record == record.key)
            let message = halt.first?.message ?? ""
            #expect(
                message.contains("description: ours \"\(ours)\", Visma's \"Made by the old integration\""), "\(message)"
            )
            #expect(try await Self.description(fixture, record.key) == "Made by the old integration")
        }
    }

    @Test func withAdoptAndUpdateACreateMeetingARecordWithOtherFieldsPutsOurs() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            var fixture = try PipelineFixture(simulator: simulator)
            fixture.configuration.pipeline.onExisting = .adoptAndUpdate
            try fixture.configuration.encoded().write(to: fixture.root.configFile)
            let (id, record) = try await Self.itemMadeElsewhere(fixture, description: "Made by the old integration")
            let upload = try await StageInputTests.runStage("upload", fixture.root)
            #expect(upload.status == 0, "\(upload)")
            #expect(
                try await Self.description(fixture, record.key) == record.body["description"]?["value"]?.stringValue)
            #expect(try await Self.requests(simulator, "PUT", "/v1/inventory/\(record.key)") == 1)
            #expect(try Self.manifest(fixture, id).upload?.vismaIds["inventory"]?[record.key] == record.key)
        }
    }

    /// Refused records stay refused until `retry` sends them again: a halt lifted by deleting its file
    /// does not let the next upload accept the batch, nor the nightly run archive it.
    @Test func aBatchWithARefusedRecordIsNotArchivedWhenTheHaltFileIsDeleted() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let (id, record) = try await Self.itemMadeElsewhere(fixture, description: "Made by the old integration")
            #expect(try await StageInputTests.runStage("upload", fixture.root).status == 65)
            try FileManager.default.removeItem(at: HaltRecord.file(in: fixture.root))

            let again = try await StageInputTests.runStage("upload", fixture.root)
            #expect(again.status == 65, "\(again)")
            #expect(try Self.manifest(fixture, id).status == .rejected)
            #expect(try HaltRecord.current(in: fixture.root)?.first?.record == record.key)
            #expect(try BatchArchive.archiveFinished(in: fixture.root).isEmpty)
            #expect(FileManager.default.fileExists(atPath: fixture.root.batchFolder(id).path))
        }
    }
}

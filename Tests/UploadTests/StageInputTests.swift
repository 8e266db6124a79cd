import DropValidation
import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaPayloads
import VismaSimulator
import VismaUpload

/// Transform and upload re-hash what they read against the manifest of the stage before, and upload sends only
/// the requests transform writes (issue 13, item 1) — the stages as child processes, the simulator over HTTP.
@Suite(.serialized) struct StageInputTests {
    static let environment = ["FLEXYVISMA_CLIENT_SECRET": ClientSecret.simulatorDemoSecret]

    static func runStage(_ name: String, _ root: PipelineRoot) async throws -> ProcessResult {
        try await offCooperativePool {
            try ChildProcess.run(
                ChildProcess.executable("flexyvisma-\(name)"), ["--root", root.url.path], environment: environment)
        }
    }

    /// API requests the simulator saw (tokens and admin calls left out).
    static func apiRequests(_ simulator: RunningSimulator) async throws -> [String] {
        let client = try VismaTestClient(baseURL: simulator.baseURL)
        let log = try await client.send("GET", "/_simulator/requests", record: false)
        return (log.jsonObject["requests"] as? [[String: Any]] ?? []).compactMap { entry in
            guard let path = entry["path"] as? String, path.hasPrefix("/v1") || path.hasPrefix("/v2") else {
                return nil
            }
            return "\(entry["method"] as? String ?? "") \(path)"
        }
    }

    @Test func aPayloadFileEditedAfterTransformIsRefusedByUploadNamingItAndBothHashesWithNothingSent() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            let file = fixture.root.batchFolder(id).appendingPathComponent("payloads/01-raw-materials.jsonl")
            let recorded = try DurableFiles.digest(of: file).sha256
            // One space more: the same records to a JSON reader, another file to its hash.
            try Data((" " + (try String(contentsOf: file, encoding: .utf8))).utf8).write(to: file)
            let edited = try DurableFiles.digest(of: file).sha256
            #expect(edited != recorded)
            let before = try await Self.apiRequests(simulator)

            let upload = try await Self.runStage("upload", fixture.root)
            #expect(upload.status == 65, "\(upload)")
            #expect(upload.standardOutput.contains("payloads/01-raw-materials.jsonl"), "\(upload)")
            let halt = try #require(try HaltRecord.current(in: fixture.root))
            #expect(halt.stage == .upload)
            #expect(halt.first?.rule == "input.changed")
            #expect(halt.first?.file == "payloads/01-raw-materials.jsonl")
            #expect(
                halt.first?.message.contains(recorded) == true && halt.first?.message.contains(edited) == true,
                "\(String(describing: halt.first))")
            #expect(try await Self.apiRequests(simulator) == before)
            #expect(try await fixture.entities("inventory").isEmpty)
        }
    }

    @Test func aPayloadFileAddedAfterTransformIsRefusedByUpload() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            let payloads = fixture.root.batchFolder(id).appendingPathComponent("payloads")
            try FileManager.default.copyItem(
                at: payloads.appendingPathComponent("01-raw-materials.jsonl"),
                to: payloads.appendingPathComponent("00-extra.jsonl"))
            let upload = try await Self.runStage("upload", fixture.root)
            #expect(upload.status == 65, "\(upload)")
            #expect(try HaltRecord.current(in: fixture.root)?.first?.file == "payloads/00-extra.jsonl")
            #expect(try await fixture.entities("inventory").isEmpty)
        }
    }

    @Test func aDropFileChangedAfterValidateIsRefusedByTransformNamingIt() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.exportAndValidate()
            let folder = fixture.root.batchFolder(id)
            let items = try #require(
                try FileManager.default.contentsOfDirectory(atPath: folder.path).first {
                    $0.hasPrefix("items") && $0.hasSuffix(".csv")
                })
            let recorded = try DurableFiles.digest(of: folder.appendingPathComponent(items)).sha256
            let handle = try FileHandle(forWritingTo: folder.appendingPathComponent(items))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("\n".utf8))
            try handle.close()

            let transform = try await Self.runStage("transform", fixture.root)
            #expect(transform.status == 65, "\(transform)")
            #expect(transform.standardOutput.contains(items), "\(transform)")
            let halt = try #require(try HaltRecord.current(in: fixture.root))
            #expect(halt.stage == .transform)
            #expect(halt.first?.rule == "input.changed")
            #expect(halt.first?.file == items)
            #expect(halt.first?.message.contains(recorded) == true)
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("payloads").path))
        }
    }

    /// `flexyvisma retry` (and the nightly run, which retries a halt first) runs the halted stage with `--retry`:
    /// a transform halt must be retryable once the file is put back, not a usage error for ever.
    @Test func aTransformHaltIsRetriedByFlexyvismaRetryOnceTheFileIsPutBack() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.exportAndValidate()
            let added = fixture.root.batchFolder(id).appendingPathComponent("customers-late.csv")
            try Data("{}".utf8).write(to: added)
            let halted = try await Self.runStage("transform", fixture.root)
            #expect(halted.status == 65, "\(halted)")
            #expect(halted.standardError.contains("customers-late.csv"), "\(halted)")
            try FileManager.default.removeItem(at: added)

            let retried = try await offCooperativePool {
                try ChildProcess.run(
                    ChildProcess.executable("flexyvisma"), ["retry", "--root", fixture.root.url.path],
                    environment: Self.environment)
            }
            #expect(retried.status == 0, "\(retried)")
            #expect(try HaltRecord.current(in: fixture.root) == nil)
            #expect(
                StageManifest.read(.transform, in: fixture.root.locateBatch(id) ?? fixture.root.batchFolder(id))?.status
                    == .accepted)
            #expect(try await !fixture.entities("inventory").isEmpty)
        }
    }

    @Test func aReferenceSnapshotChangedOrADropFileAddedAfterValidateIsRefusedByTransform() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.exportAndValidate()
            let folder = fixture.root.batchFolder(id)
            try Data("{}".utf8).write(to: folder.appendingPathComponent("customers-late.csv"))
            let transform = try await Self.runStage("transform", fixture.root)
            #expect(transform.status == 65, "\(transform)")
            #expect(try HaltRecord.current(in: fixture.root)?.first?.file == "customers-late.csv")
        }
    }

    /// Each line is rewritten as an attacker who can write the root would: the payload and the transform
    /// manifest's hash of it, so that only the allow-list stands between the line and the network.
    @Test(arguments: [
        ("DELETE", "/v1/inventory/{number}"),
        ("POST", "/v1/customer/../../x"),
        ("POST", "http://evil.invalid/v1/inventory"),
        ("PUT", "/v1/inventory/%2E%2E"),
        ("POST", "/v1/inventory?x=1"),
    ])
    func aPayloadLineAskingForARequestTransformNeverWritesIsRefusedUnsent(method: String, path: String) async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            let folder = fixture.root.batchFolder(id)
            let file = folder.appendingPathComponent("payloads/01-raw-materials.jsonl")
            var lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
            var first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            first["method"] = method
            first["path"] = path
            lines[0] = String(
                decoding: try JSONSerialization.data(
                    withJSONObject: first, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
            try fixture.rehashPayloads(id)
            let before = try await Self.apiRequests(simulator)

            let upload = try await Self.runStage("upload", fixture.root)
            #expect(upload.status == 65, "\(upload)")
            let halt = try #require(try HaltRecord.current(in: fixture.root))
            #expect(halt.first?.rule == "payload.not-allowed", "\(String(describing: halt.first))")
            #expect(halt.first?.file == "payloads/01-raw-materials.jsonl")
            #expect(try await Self.apiRequests(simulator) == before)
            #expect(try await fixture.entities("inventory").isEmpty)
        }
    }

    @Test func everyRequestTheSampleWeeksTransformWritesIsAllowed() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            let upload = try await Self.runStage("upload", fixture.root)
            #expect(upload.status == 0, "\(upload)")
            #expect(try fixture.payloads(id).count > 50)
        }
    }
}

extension PipelineFixture {
    /// Export and validate against the simulator: the batch ready to transform.
    func exportAndValidate() async throws -> BatchID {
        let connection = connection
        _ = try FlexBoxExportRun.export(root: root, configuration: configuration, schemas: schemas)
        let validated = try await ValidateStage(
            ValidateRequest(
                root: root, configuration: configuration, schemas: schemas, referenceFile: nil,
                fetchReference: { try await ReferenceFetcher.fetch(connection: connection) })
        ).run()
        guard validated.exitStatus == .success, let id = validated.batchId else {
            throw OperatorMessage(.dataRejected, "validation: \(validated.reportLines.joined(separator: "\n"))")
        }
        return id
    }

    /// Writes the payload files' current hashes into the transform manifest, as whoever can write the root could.
    func rehashPayloads(_ id: BatchID) throws {
        let folder = root.batchFolder(id)
        let url = folder.appendingPathComponent(StageManifest.fileName(of: .transform))
        var manifest = try StageManifest.decode(Data(contentsOf: url))
        manifest.outputs = try manifest.outputs.map { output in
            var output = output
            let digest = try DurableFiles.digest(of: folder.appendingPathComponent(output.path))
            output.sha256 = digest.sha256
            output.bytes = digest.bytes
            return output
        }
        try manifest.encoded().write(to: url)
    }
}

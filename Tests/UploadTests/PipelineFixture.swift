import DropFormats
import DropValidation
import FlexyBoxExport
import FlexyVismaCore
import Foundation
import GRDB
import TestSupport
import VismaAPI
import VismaPayloads
import VismaSimulator
import VismaUpload

/// The sample venue (with the bookkeeper's corrections) in a pipeline root pointed at a running simulator.
struct PipelineFixture: Sendable {
    let folder: TemporaryFolder
    let root: PipelineRoot
    var configuration: PipelineConfiguration
    let schemas = SchemaDirectory(url: Repository.schemas)
    let simulator: RunningSimulator

    static let afterSampleWeek = Date(timeIntervalSince1970: 1_795_950_000)

    init(simulator: RunningSimulator, parallelism: Int = 4) throws {
        self.simulator = simulator
        folder = try TemporaryFolder("flexyvisma-upload")
        root = PipelineRoot(folder.url)
        for url in root.folders { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        var configuration = PipelineConfiguration.sampleVenue(
            vismaBaseURL: simulator.baseURL, sourcePath: "source/flexybox.sqlite")
        configuration.pipeline.settleSeconds = 0
        configuration.pipeline.uploadParallelism = parallelism
        self.configuration = configuration
        try configuration.encoded().write(to: root.configFile)
        let source = root.resolve("source/flexybox.sqlite")
        try Repository.buildSampleVenue(at: source)
        let queue = try DatabaseQueue(path: source.path)
        let corrections = try String(
            contentsOf: Repository.samples.appendingPathComponent("venue/corrections.sql"), encoding: .utf8)
        try queue.inDatabase { db in try db.execute(sql: corrections) }
        try queue.close()
    }

    var connection: VismaConnection {
        VismaConnection(configuration: configuration, secret: ClientSecret(value: ClientSecret.simulatorDemoSecret))
    }

    /// Export and validate (against the simulator, or a given snapshot) and transform: the batch ready to upload.
    func prepareBatch(reference: ReferenceSnapshot? = nil) async throws -> BatchID {
        let root = root
        let configuration = configuration
        let schemas = schemas
        let connection = connection
        let referenceFile = try reference.map { snapshot -> URL in
            let url = folder.path("reference.json")
            try snapshot.encoded().write(to: url)
            return url
        }
        // Synchronous stage work runs off the cooperative pool, which the in-process simulator needs to answer.
        _ = try await offCooperativePool {
            try FlexBoxExportRun.export(root: root, configuration: configuration, schemas: schemas)
        }
        let validated = try await ValidateStage(
            ValidateRequest(
                root: root, configuration: configuration, schemas: schemas, referenceFile: referenceFile,
                fetchReference: { try await ReferenceFetcher.fetch(connection: connection) })
        ).run()
        guard validated.exitStatus == .success, let id = validated.batchId else {
            throw OperatorMessage(.dataRejected, "validation: \(validated.reportLines.joined(separator: "\n"))")
        }
        let transformed = try await offCooperativePool {
            try TransformStage(root: root, configuration: configuration).run()
        }
        guard transformed.batchId == id else {
            throw OperatorMessage(.internalError, "transform took \(String(describing: transformed.batchId))")
        }
        return id
    }

    func upload(retry: Bool = false) async throws -> UploadOutcome {
        try await UploadStage(
            root: root, configuration: configuration, secret: ClientSecret(value: ClientSecret.simulatorDemoSecret),
            retry: retry
        ).run()
    }

    /// The simulator's records of one kind.
    func entities(_ kind: String) async throws -> [[String: Any]] {
        let client = try VismaTestClient(baseURL: simulator.baseURL)
        let response = try await client.send("GET", "/_simulator/entities?kind=\(kind)", record: false)
        return ((response.jsonObject[kind] as? [String: Any])?["records"] as? [[String: Any]]) ?? []
    }

    func payloads(_ id: BatchID) throws -> [PayloadRecord] {
        let folder = root.batchFolder(id).appendingPathComponent("payloads")
        var records: [PayloadRecord] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
            records += try PayloadRecord.read(folder.appendingPathComponent(file))
        }
        return records
    }
}

/// The export stage with the sample week's clock.
enum FlexBoxExportRun {
    static func export(
        root: PipelineRoot, configuration: PipelineConfiguration, schemas: SchemaDirectory
    ) throws -> ExportOutcome {
        try FlexyBoxExporter(
            ExportRequest(
                root: root, configuration: configuration, schemas: schemas, selection: .sinceLast,
                now: PipelineFixture.afterSampleWeek, fault: nil)
        ).run()
    }
}

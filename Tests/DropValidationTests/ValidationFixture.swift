import DropFormats
import DropValidation
import FlexyVismaCore
import Foundation
import TestSupport

/// A pipeline root for validate tests, with the sample Visma company as a saved reference snapshot.
struct ValidationFixture {
    let folder: TemporaryFolder
    let root: PipelineRoot
    var configuration: PipelineConfiguration
    let referenceFile: URL
    let schemas = SchemaDirectory(url: Repository.schemas)

    init(settleSeconds: Int = 0, seedHistory: Bool = true) throws {
        folder = try TemporaryFolder("flexyvisma-validate")
        root = PipelineRoot(folder.url)
        for url in root.folders { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        var configuration = PipelineConfiguration.sampleVenue(sourcePath: "source/flexybox.sqlite")
        configuration.pipeline.settleSeconds = settleSeconds
        self.configuration = configuration
        try configuration.encoded().write(to: root.configFile)
        referenceFile = folder.path("reference.json")
        try Self.sharedReference().write(to: referenceFile)
        if seedHistory {
            let history = try SampleVisma.history()
            try ValidationHistory(root: root).record(
                batch: BatchID.make(at: Date(timeIntervalSince1970: 1_795_000_000)), itemKinds: history.itemKinds,
                kitProducts: history.kitProducts, receiptDays: []
            ) { insert in for id in history.paymentIds { try insert(id) } }
        }
    }

    /// Built once: the sample database takes a moment.
    private static let referenceData = Result { try SampleVisma.reference().encoded() }
    static func sharedReference() throws -> Data { try referenceData.get() }

    /// Copies files into the inbox as a bookkeeper would drop them.
    func drop(_ files: [URL]) throws {
        for file in files {
            try FileManager.default.copyItem(at: file, to: root.inbox.appendingPathComponent(file.lastPathComponent))
        }
    }

    func validate(retry: Bool = false, now: Date = Date()) async throws -> ValidateOutcome {
        try await ValidateStage(
            ValidateRequest(
                root: root, configuration: configuration, schemas: schemas, referenceFile: referenceFile, retry: retry,
                now: now,
                fetchReference: { throw OperatorMessage(.internalError, "tests validate against a saved snapshot") })
        ).run()
    }

    func inboxNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.inbox.path).sorted()
    }
    func rejectedNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.rejected.path).sorted()
    }
}

extension ValidateOutcome {
    /// `line:column rule` of every rejection, as the `.errors` files write them.
    var positionedRules: Set<String> {
        Set((manifest?.rejections ?? []).map { "\($0.line ?? 0):\($0.column ?? 0) \($0.rule)" })
    }
}

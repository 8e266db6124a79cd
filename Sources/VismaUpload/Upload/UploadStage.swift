import FlexyVismaCore
import Foundation
import Glibc
import Logging
import StateStore
import VismaAPI
import VismaPayloads

/// What only the upload knows of its run: Visma's refusal.
public struct UploadRefusal: Sendable {
    /// Visma's message verbatim when a record was refused.
    public var rejection: Finding?
}

/// What the upload stage did.
public typealias UploadOutcome = StageOutcome<UploadRefusal>

/// The upload stage (DESIGN §8): payloads to Visma in dependency order, each record exactly once.
public struct UploadStage: AsynchronousStageWork, Sendable {
    public let root: PipelineRoot
    public let configuration: PipelineConfiguration
    public let secret: ClientSecret
    public let retry: Bool
    public let runId: String

    public init(root: PipelineRoot, configuration: PipelineConfiguration, secret: ClientSecret, retry: Bool = false, runId: String = RunLogging.makeRunId()) {
        self.root = root
        self.configuration = configuration
        self.secret = secret
        self.retry = retry
        self.runId = runId
    }

    public func run() async throws -> UploadOutcome {
        try await StageLifecycle(root: root, runId: runId, retry: retry).run(self)
    }

    public var stage: StageManifest.Stage { .upload }

    /// The oldest transformed batch whose upload has not been accepted; earlier ones block it.
    public func nextBatch() throws -> StageSelection {
        // Opened (and migrated) even when there is nothing to send: a ledger from a newer version is refused at once.
        _ = try UploadLedger(root: root)
        for id in root.batchesInProgress() {
            let folder = root.batchFolder(id)
            if StageManifest.read(.upload, in: folder)?.status == .accepted { continue }
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(StageManifest.fileName(of: .transform)).path) else { break }
            return .batch(id)
        }
        return .idle(summary: "nothing to upload")
    }

    /// Records Visma refused go back to pending: the cause was fixed.
    public func prepareRetry(of batch: BatchID) throws {
        try UploadLedger(root: root).resetRejected(batch: batch)
        Logger(label: "flexyvisma-upload").notice("uploading halted batch \(batch) again")
    }

    public func process(_ claim: BatchClaim) async throws -> StageResult {
        let batchId = claim.batchId
        let ledger = try UploadLedger(root: root)
        let startedAt = claim.startedAt
        let folder = claim.folder
        let records = try loadPayloads(folder)
        try ledger.prepare(batch: batchId, records: records)
        let connection = VismaConnection(configuration: configuration, secret: secret)
        let tokens = try TokenProvider(connection: connection)
        let pacer = RatePacer()
        let counters = UploadCounters()
        let width = max(1, configuration.pipeline.uploadParallelism)
        let senders = try (0..<width).map { _ in
            RecordSender(session: try CurlSession(), baseURL: connection.baseURL, tokens: tokens, pacer: pacer, counters: counters)
        }

        // Settle what an interrupted run left `sending`: look each natural key up before sending anything.
        var entries = try ledger.entries(batch: batchId)
        var details = UploadDetails()
        let interrupted = records.filter { entries[$0.sequence]?.state == .sending }
        for record in interrupted {
            switch await senders[0].exists(record) {
            case true?: try ledger.record(batch: batchId, [(record.sequence, .done, record.key, nil)])
            case false?: try ledger.record(batch: batchId, [(record.sequence, .pending, nil, nil)])
            case nil:
                throw OperatorMessage(.temporaryFailure, "cannot reach Visma to settle \(interrupted.count) interrupted record(s); try again later")
            }
            details.recovered += 1
        }
        entries = try ledger.entries(batch: batchId)

        var rejection: (record: PayloadRecord, message: String)?
        var unresolved = 0
        var progress = Progress(total: records.count, alreadyDone: records.filter { entries[$0.sequence]?.state == .done }.count)
        groups: for group in PayloadGroup.allCases {
            let todo = records.filter { $0.group == group && entries[$0.sequence]?.state == .pending }
            var index = 0
            while index < todo.count {
                let window = Array(todo[index..<min(todo.count, index + width * 8)])
                index += window.count
                try ledger.markSending(batch: batchId, sequences: window.map(\.sequence))
                let outcomes = await withTaskGroup(of: [(PayloadRecord, SendOutcome)].self) { taskGroup in
                    for lane in 0..<width {
                        let sender = senders[lane]
                        let mine = stride(from: lane, to: window.count, by: width).map { window[$0] }
                        taskGroup.addTask {
                            var results: [(PayloadRecord, SendOutcome)] = []
                            for record in mine { results.append((record, await sender.send(record))) }
                            return results
                        }
                    }
                    var all: [(PayloadRecord, SendOutcome)] = []
                    for await results in taskGroup { all += results }
                    return all
                }
                var rows: [(sequence: Int, state: UploadLedger.State, vismaId: String?, message: String?)] = []
                for (record, outcome) in outcomes.sorted(by: { $0.0.sequence < $1.0.sequence }) {
                    switch outcome {
                    case .done(let id, _):
                        rows.append((record.sequence, .done, id, nil))
                    case .rejected(let message, _):
                        rows.append((record.sequence, .rejected, nil, message))
                        details.kinds[record.kind, default: .init()].rejected += 1
                        if rejection == nil { rejection = (record, message) }
                    case .unresolved:
                        unresolved += 1  // stays `sending`: the next run looks it up
                        details.kinds[record.kind, default: .init()].unresolved += 1
                    }
                }
                try ledger.record(batch: batchId, rows)
                progress.advance(by: rows.count)
                // A refusal stops the stage; what was in flight has finished and is recorded.
                if rejection != nil || unresolved > 0 { break groups }
            }
        }

        progress.finish()
        entries = try ledger.entries(batch: batchId)
        for record in records where entries[record.sequence]?.state == .done {
            if record.method == "PUT" {
                details.kinds[record.kind, default: .init()].updated += 1
            } else {
                details.kinds[record.kind, default: .init()].created += 1
            }
            details.vismaIds[record.kind, default: [:]][record.key] = entries[record.sequence]?.vismaId ?? record.key
        }
        details.requests = await counters.requests
        details.retries = await counters.retries
        details.rateLimited = await counters.rateLimited
        details.lookups = await counters.lookups
        details.tokenFetches = await tokens.fetches
        details.durationSeconds = (Date().timeIntervalSince(startedAt) * 1000).rounded() / 1000

        let status: StageManifest.Status = rejection != nil ? .rejected : (unresolved > 0 ? .failed : .accepted)
        var manifest = StageManifest(stage: .upload, batchId: batchId, runId: runId, startedAt: startedAt, finishedAt: Date(), status: status)
        manifest.inputs = try records.isEmpty ? [] : payloadFiles(folder)
        manifest.upload = details
        manifest.configHash = try configuration.hash()
        var finding: Finding?
        if let rejection {
            finding = Finding(
                rule: "visma.rejected", message: rejection.message, file: rejection.record.origin.map { String($0.split(separator: ":").first ?? "") },
                line: rejection.record.origin.flatMap { $0.split(separator: ":").last.flatMap { Int($0) } },
                record: rejection.record.key, field: nil, hint: Self.hint(for: rejection.message, kind: rejection.record.kind))
            manifest.rejections = finding.map { [$0] } ?? []
        }
        manifest.counts = details.kinds.mapValues { $0.created + $0.updated }

        if let finding {
            return StageResult(
                manifest: manifest,
                summary: "batch \(batchId): Visma refused \(rejection?.record.kind ?? "a record") \(rejection?.record.key ?? ""): \(finding.message)",
                report: "batches/\(batchId)/upload.manifest.json")
        }
        if unresolved > 0 {
            return StageResult(
                manifest: manifest,
                summary: "batch \(batchId): \(unresolved) record(s) could not be confirmed (network, 5xx or 429 exhausted); run again later — they are looked up before anything is resent",
                exitStatus: .temporaryFailure)
        }
        let created = details.kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.created) created, \($0.value.updated) updated" }
        return StageResult(
            manifest: manifest,
            summary: "batch \(batchId) uploaded: \(created.isEmpty ? "nothing to send" : created.joined(separator: "; ")) (\(details.requests) requests, \(details.retries) retries, \(details.rateLimited) × 429)")
    }

    public func idleDetails() -> UploadRefusal { UploadRefusal() }

    public func details(of result: StageResult, claim: BatchClaim) -> UploadRefusal {
        UploadRefusal(rejection: result.manifest?.rejections.first)
    }

    /// Our hint beside Visma's words, for the refusals a bookkeeper can fix in Visma.
    static func hint(for message: String, kind: String) -> String {
        if message.contains("Supplier") && message.contains("does not exist") {
            return "create the supplier in Visma (by the name FlexyBox uses), then run `flexyvisma-upload --retry`"
        }
        if message.contains("is closed") { return "open the financial period in Visma, then run `flexyvisma-upload --retry`" }
        if message.contains("Payment method") { return "create or activate the payment method in Visma, then retry" }
        return "fix the cause in Visma or in FlexyBox; `flexyvisma-upload --retry` resends only what is not done"
    }

    private func loadPayloads(_ folder: URL) throws -> [PayloadRecord] {
        var records: [PayloadRecord] = []
        for group in PayloadGroup.allCases {
            let url = folder.appendingPathComponent("payloads").appendingPathComponent(group.fileName)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            records += try PayloadRecord.read(url)
        }
        return records.sorted { $0.sequence < $1.sequence }
    }

    private func payloadFiles(_ folder: URL) throws -> [FileRecord] {
        try PayloadGroup.allCases.compactMap { group in
            let url = folder.appendingPathComponent("payloads").appendingPathComponent(group.fileName)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            return FileRecord(path: "payloads/\(group.fileName)", digest: try DurableFiles.digest(of: url), fileType: "payloads")
        }
    }
}

/// Records done / total, rate and ETA on a terminal's stderr; silent when piped or logged.
struct Progress {
    let total: Int
    private var done: Int
    private let started = Date()
    private let startDone: Int
    private let enabled = isatty(STDERR_FILENO) == 1

    init(total: Int, alreadyDone: Int) {
        self.total = total
        done = alreadyDone
        startDone = alreadyDone
    }

    mutating func advance(by count: Int) {
        done += count
        guard enabled else { return }
        let elapsed = max(0.001, Date().timeIntervalSince(started))
        let rate = Double(done - startDone) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        FileHandle.standardError.write(Data(String(format: "\r  upload: %d/%d records, %.0f/s, ETA %.0f s   ", done, total, rate, eta).utf8))
    }

    func finish() {
        if enabled, done > startDone { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

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

/// The upload stage (docs/UPLOAD.md): payloads to Visma in dependency order, each record exactly once.
public struct UploadStage: Sendable {
    public let root: PipelineRoot
    public let configuration: PipelineConfiguration
    public let secret: ClientSecret
    public let retry: Bool
    public let runId: String
    /// How many times a run looks again, after a growing pause (0.25 s, 0.5 s, 1 s…), at documents whose
    /// release Visma queued; what is still queued then is looked at by the next run.
    public let releaseLooks: Int

    public init(
        root: PipelineRoot, configuration: PipelineConfiguration, secret: ClientSecret, retry: Bool = false,
        runId: String = RunLogging.makeRunId(), releaseLooks: Int = 3
    ) {
        self.root = root
        self.configuration = configuration
        self.secret = secret
        self.retry = retry
        self.runId = runId
        self.releaseLooks = releaseLooks
    }

    /// The ledger is opened (and migrated) first, even when there is nothing to send: a ledger from
    /// a newer version is refused at once.
    public func run() async throws -> UploadOutcome {
        let work = UploadWork(upload: self, ledger: try UploadLedger(root: root))
        return try await StageLifecycle(root: root, runId: runId, retry: retry).run(work)
    }
}

/// One upload run's work on a batch, over the ledger opened once for the run.
struct UploadWork: AsynchronousStageWork {
    let upload: UploadStage
    let ledger: UploadLedger

    var root: PipelineRoot { upload.root }
    var configuration: PipelineConfiguration { upload.configuration }
    var runId: String { upload.runId }
    var stage: StageManifest.Stage { .upload }

    /// The oldest transformed batch whose upload has not been accepted; earlier ones block it.
    func nextBatch() throws -> StageSelection {
        for id in root.batchesInProgress() {
            let folder = root.batchFolder(id)
            if StageManifest.read(.upload, in: folder)?.status == .accepted { continue }
            guard
                FileManager.default.fileExists(
                    atPath: folder.appendingPathComponent(StageManifest.fileName(of: .transform)).path)
            else { break }
            return .batch(id)
        }
        return .idle(summary: "nothing to upload")
    }

    /// How many records are in each ledger state: a run killed after moving any (even to `sending`) is not a crash loop.
    func progress(of batch: BatchID) -> String? {
        guard let entries = try? ledger.entries(batch: batch) else { return nil }
        let counts = Dictionary(grouping: entries.values, by: { "\($0.state)" }).mapValues(\.count)
        return counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// Records Visma refused go back to pending: the cause was fixed.
    func prepareRetry(of batch: BatchID) throws {
        try ledger.resetRejected(batch: batch)
        Logger(label: "flexyvisma-upload").notice("uploading halted batch \(batch) again")
    }

    /// The payload files and `reference.json` as transform recorded them; a payload file added since is refused too.
    func expectedInputs(of claim: BatchClaim) throws -> ExpectedInputs? {
        guard let transformed = StageManifest.read(.transform, in: claim.folder) else { return nil }
        let files = transformed.outputs + transformed.inputs.filter { $0.path == "reference.json" }
        return ExpectedInputs(
            recordedBy: .transform, files: files, watchedFolders: ["payloads", VoucherAttachment.folder]
        ) { _ in true }
    }

    func process(_ claim: BatchClaim) async throws -> StageResult {
        let batchId = claim.batchId
        let records = try loadPayloads(claim.folder)
        let attachments = try VoucherAttachment.read(batchFolder: claim.folder)
        let refusals = PayloadRoutes.refusals(records) + VoucherUpload.refusals(attachments)
        if let first = refusals.first {
            var manifest = StageManifest(
                stage: .upload, batchId: batchId, runId: runId, startedAt: claim.startedAt, finishedAt: Date(),
                status: .rejected)
            manifest.inputs = try payloadFiles(claim.folder)
            manifest.rejections = refusals
            return StageResult(
                manifest: manifest, summary: "batch \(batchId): nothing was sent: \(first.message)",
                exitStatus: .dataRejected,
                report: "batches/\(batchId)/upload.manifest.json")
        }
        try ledger.prepare(batch: batchId, records: records)
        try ledger.prepare(
            batch: batchId,
            records: attachments.map { .init(sequence: $0.sequence, kind: VoucherAttachment.kind, key: $0.ledgerKey) })
        let wire = try Wire(configuration: configuration, secret: upload.secret)
        let referenceFile = claim.folder.appendingPathComponent("reference.json")
        let reference =
            FileManager.default.fileExists(atPath: referenceFile.path)
            ? try ReferenceSnapshot.load(from: referenceFile) : nil

        var details = UploadDetails()
        var sent = Sent()
        do {
            _ = try await wire.tokens.token()  // refused credentials stop the run before any record is touched
        } catch let error as VismaClientError {
            sent.noToken = error
            return try result(of: sent, details: details, records: records, claim: claim)
        }
        let ordinary = try await sendAll(
            records, vouchers: attachments, batch: batchId, folder: claim.folder, wire: wire, reference: reference,
            details: &details, sent: &sent)
        if !sent.mustStop {
            try await sendVouchers(
                attachments, journals: records, batch: batchId, folder: claim.folder, sender: wire.senders[0],
                details: &details, sent: &sent)
        }
        try summariseVouchers(attachments, batch: batchId, details: &details)

        let entries = try ledger.entries(batch: batchId)
        if sent.rejection == nil, let refused = records.first(where: { entries[$0.sequence]?.state == .rejected }) {
            // The halt was lifted some other way than `retry` (which sends refused records again): still not sent.
            let message =
                "refused in an earlier run and not sent since: \(entries[refused.sequence]?.message ?? "no message kept")"
            sent.rejection = (refused, message, Self.stillRefusedRule)
            details.kinds[refused.kind, default: .init()].rejected +=
                records.filter { entries[$0.sequence]?.state == .rejected && $0.kind == refused.kind }.count
        }
        for record in ordinary where entries[record.sequence]?.state == .done {
            if record.method == "PUT" {
                details.kinds[record.kind, default: .init()].updated += 1
            } else {
                details.kinds[record.kind, default: .init()].created += 1
            }
            details.vismaIds[record.kind, default: [:]][record.key] = entries[record.sequence]?.vismaId ?? record.key
        }
        details.requests = await wire.counters.requests
        details.retries = await wire.counters.retries
        details.rateLimited = await wire.counters.rateLimited
        details.lookups = await wire.counters.lookups
        details.tokenFetches = await wire.tokens.fetches
        details.durationSeconds = (Date().timeIntervalSince(claim.startedAt) * 1000).rounded() / 1000
        return try result(of: sent, details: details, records: records, claim: claim)
    }

    /// The workers' shared connection to Visma: one token, one rate window, one session per lane.
    struct Wire {
        let tokens: TokenProvider
        let counters: UploadCounters
        let senders: [RecordSender]

        init(configuration: PipelineConfiguration, secret: ClientSecret) throws {
            let connection = VismaConnection(configuration: configuration, secret: secret)
            let tokens = try TokenProvider(connection: connection)
            let pacer = RatePacer()
            let counters = UploadCounters()
            self.tokens = tokens
            self.counters = counters
            senders = try (0..<max(1, configuration.pipeline.uploadParallelism)).map { _ in
                RecordSender(
                    session: try CurlSession(), baseURL: connection.baseURL, tokens: tokens, pacer: pacer,
                    counters: counters,
                    onExisting: configuration.pipeline.effectiveOnExisting)
            }
        }
    }

    /// What sending left to report: the first refusal, how many records could not be confirmed, and what waits.
    struct Sent {
        /// The first refusal; `rule` is `visma.rejected` for Visma's own words, else what of ours stopped it.
        var rejection: (record: PayloadRecord, message: String, rule: String)?
        var unresolved = 0
        /// Documents whose release Visma queued and has not shown done.
        var queued = 0
        /// Withdrawals waiting for their deposits to be released, with why.
        var waiting: [(record: PayloadRecord, why: String)] = []
        /// What this run's unreleased refunds took from each deposit (Visma lowers the balance only on release).
        var reserved: [String: Int64] = [:]
        /// Visma Connect gave no token: the run stops with its class (78 or 75), no record is blamed.
        var noToken: VismaClientError?

        var mustStop: Bool { rejection != nil || unresolved > 0 || noToken != nil }
    }

    /// Settles what an earlier run left, then sends; a repost batch's payments are compared with Visma first and its day
    /// journals book the difference. Returns the records sent the ordinary way (a repost's journals are not).
    func sendAll(
        _ records: [PayloadRecord], vouchers: [VoucherAttachment], batch: BatchID, folder: URL, wire: Wire,
        reference: ReferenceSnapshot?, details: inout UploadDetails, sent: inout Sent
    ) async throws -> [PayloadRecord] {
        let isRepost = RepostRequest.verified(batch: batch, folder: folder, root: root) != nil
        let reposted = isRepost ? records.filter { $0.group == .journalTransactions } : []
        let ordinary = isRepost ? records.filter { $0.group != .journalTransactions } : records
        details.recovered = try await settleInterrupted(
            ordinary, batch: batch, sender: wire.senders[0], reference: reference)
        try await settleReleases(ordinary, batch: batch, sender: wire.senders[0], sent: &sent)
        if isRepost, sent.rejection == nil {
            try await settleRepostedDocuments(
                ordinary, batch: batch, sender: wire.senders[0], reference: reference, details: &details, sent: &sent)
        }
        if sent.rejection == nil {
            try await sendPending(
                ordinary, batch: batch, wire: wire, reference: reference, details: &details, sent: &sent)
        }
        if !reposted.isEmpty, !sent.mustStop, sent.queued == 0, sent.waiting.isEmpty {
            try await repostJournals(
                reposted, vouchers: vouchers, batch: batch, wire: wire, reference: reference, details: &details,
                sent: &sent)
        }
        return ordinary
    }

    /// Settles what an interrupted run left `sending`: a create is looked up by our key before anything is sent;
    /// an update (a PUT of master data) is sent again — finding the record proves nothing about its fields, and
    /// the same body sent twice leaves the same record.
    private func settleInterrupted(
        _ records: [PayloadRecord], batch: BatchID, sender: RecordSender, reference: ReferenceSnapshot?
    ) async throws -> Int {
        let entries = try ledger.entries(batch: batch)
        let interrupted = records.filter { entries[$0.sequence]?.state == .sending }
        let updates = interrupted.filter { $0.method == "PUT" }
        if !updates.isEmpty { try ledger.record(batch: batch, updates.map { ($0.sequence, .pending, nil, nil) }) }
        let book = try NumberBook(ledger: ledger, records: interrupted, reference: reference)
        for record in interrupted where record.method != "PUT" {
            let addressed: AddressedRecord
            do {
                addressed = try book.address(record)
            } catch {
                try ledger.record(batch: batch, [(record.sequence, .pending, nil, nil)])  // a reference never resolved: it was never sent
                continue
            }
            switch await sender.locate(addressed) {
            case .found(let number): try ledger.record(batch: batch, [(record.sequence, .done, number, nil)])
            case .absent: try ledger.record(batch: batch, [(record.sequence, .pending, nil, nil)])
            case .unknown(let reason):
                throw OperatorMessage(
                    .temporaryFailure,
                    "cannot settle \(interrupted.count) interrupted record(s): Visma could not say whether \(record.kind) \(record.key) arrived (\(reason)); nothing was sent again; try again later"
                )
            }
        }
        return interrupted.count
    }

    /// Sends the pending records group by group, in windows marked `sending` before they leave, releasing
    /// what was created; withdrawals go last in their group, one at a time, applied to what Visma then holds.
    /// A refusal or an unconfirmed record stops it once what was in flight is recorded.
    private func sendPending(
        _ records: [PayloadRecord], batch: BatchID, wire: Wire, reference: ReferenceSnapshot?,
        details: inout UploadDetails, sent: inout Sent
    ) async throws {
        let entries = try ledger.entries(batch: batch)
        var progress = Progress(
            total: records.count, alreadyDone: records.filter { entries[$0.sequence]?.state == .done }.count)
        defer { progress.finish() }
        for group in PayloadGroup.allCases {
            let todo = records.filter {
                $0.group == group && [.pending, .waiting].contains(entries[$0.sequence]?.state)
            }
            // Read after the groups before it are recorded: a payment's customer is numbered by then.
            let book = try NumberBook(ledger: ledger, records: todo, reference: reference)
            let refunds = todo.filter(Self.isRefund)
            let rest = todo.filter { !Self.isRefund($0) }
            var index = 0
            while index < rest.count {
                let window = Array(rest[index..<min(rest.count, index + wire.senders.count * 8)])
                index += window.count
                try ledger.markSending(batch: batch, sequences: window.map(\.sequence))
                let outcomes = await send(window, book: book, over: wire.senders)
                try record(outcomes, batch: batch, details: &details, sent: &sent)
                progress.advance(by: outcomes.count)
                if sent.mustStop { return }
                try await release(outcomes, batch: batch, sender: wire.senders[0], sent: &sent)
                if sent.mustStop { return }
            }
            try await settleQueued(
                records.filter { $0.group == group }, batch: batch, sender: wire.senders[0], sent: &sent)
            for refund in refunds {
                try await sendRefund(
                    refund, book: book, batch: batch, sender: wire.senders[0], details: &details, sent: &sent)
                progress.advance(by: 1)
                if sent.mustStop { return }
            }
            if !refunds.isEmpty { try await settleQueued(refunds, batch: batch, sender: wire.senders[0], sent: &sent) }
        }
    }

    /// Records a window's outcomes in one transaction.
    func record(
        _ outcomes: [(PayloadRecord, SendOutcome)], batch: BatchID, details: inout UploadDetails, sent: inout Sent
    ) throws {
        var rows: [UploadLedger.Outcome] = []
        for (record, outcome) in outcomes {
            switch outcome {
            case .done(let id, _):
                rows.append((record.sequence, .done, id, nil))
            case .rejected(let message, _):
                rows.append((record.sequence, .rejected, nil, message))
                details.kinds[record.kind, default: .init()].rejected += 1
                if sent.rejection == nil { sent.rejection = (record, message, UploadRule.rejected.id) }
            case .conflict(let message):
                rows.append((record.sequence, .rejected, nil, message))
                details.kinds[record.kind, default: .init()].rejected += 1
                if sent.rejection == nil { sent.rejection = (record, message, ExistingRecord.rule) }
            case .unresolved:
                sent.unresolved += 1  // stays `sending`: the next run looks it up or, a PUT, sends it again
                details.kinds[record.kind, default: .init()].unresolved += 1
            case .noToken(let error, let mayHaveArrived):
                // Never left the machine this time: back to pending, unless an earlier attempt may have arrived.
                if !mayHaveArrived { rows.append((record.sequence, .pending, nil, nil)) }
                if sent.noToken == nil { sent.noToken = error }
            }
        }
        try ledger.record(batch: batch, rows)
    }

    /// One window over every lane in parallel; the outcomes in sequence order.
    private func send(
        _ window: [PayloadRecord], book: NumberBook, over senders: [RecordSender]
    ) async -> [(PayloadRecord, SendOutcome)] {
        let outcomes = await withTaskGroup(of: [(PayloadRecord, SendOutcome)].self) { taskGroup in
            for (lane, sender) in senders.enumerated() {
                let mine = stride(from: lane, to: window.count, by: senders.count).map { window[$0] }
                taskGroup.addTask {
                    var results: [(PayloadRecord, SendOutcome)] = []
                    for record in mine {
                        do {
                            results.append((record, await sender.send(try book.address(record))))
                        } catch {
                            results.append((record, .rejected(message: "\(error)", status: 0)))
                        }
                    }
                    return results
                }
            }
            var all: [(PayloadRecord, SendOutcome)] = []
            for await results in taskGroup { all += results }
            return all
        }
        return outcomes.sorted { $0.0.sequence < $1.0.sequence }
    }

    /// The manifest draft and the operator's sentence for what was sent.
    private func result(
        of sent: Sent, details: UploadDetails, records: [PayloadRecord], claim: BatchClaim
    ) throws -> StageResult {
        let batchId = claim.batchId
        let waits = sent.unresolved > 0 || sent.queued > 0 || !sent.waiting.isEmpty
        let status: StageManifest.Status = sent.rejection != nil ? .rejected : (waits ? .failed : .accepted)
        var manifest = StageManifest(
            stage: .upload, batchId: batchId, runId: runId, startedAt: claim.startedAt, finishedAt: Date(),
            status: status)
        manifest.inputs = try records.isEmpty ? [] : payloadFiles(claim.folder)
        manifest.upload = details
        manifest.configHash = try configuration.hash()
        manifest.counts = details.kinds.mapValues { $0.created + $0.updated }
        if let noToken = sent.noToken {
            return Self.tokenFailure(noToken, manifest: manifest, batch: batchId)
        }
        if let rejection = sent.rejection {
            let origin = rejection.record.origin?.split(separator: ":")
            let finding = Finding(
                rule: rejection.rule, message: rejection.message, file: origin?.first.map(String.init),
                line: origin?.last.flatMap { Int($0) },
                record: rejection.record.key, field: nil,
                hint: Self.hint(for: rejection))
            manifest.rejections = [finding]
            return StageResult(
                manifest: manifest,
                summary:
                    "batch \(batchId): \(rejection.rule == UploadRule.rejected.id ? "Visma refused" : "cannot send") \(rejection.record.kind) \(rejection.record.key): \(finding.message)",
                report: "batches/\(batchId)/upload.manifest.json")
        }
        if sent.unresolved == 0, waits {
            return StageResult(
                manifest: manifest, summary: Self.waitingSummary(sent, batch: batchId), exitStatus: .temporaryFailure)
        }
        if sent.unresolved > 0 {
            return StageResult(
                manifest: manifest,
                summary:
                    "batch \(batchId): \(sent.unresolved) record(s) could not be confirmed (network, 5xx or 429 exhausted); run again later — they are looked up before anything is resent",
                exitStatus: .temporaryFailure)
        }
        let created = details.kinds.sorted { $0.key < $1.key }.map {
            "\($0.key) \($0.value.created) created, \($0.value.updated) updated"
        }
        let days = (details.reposted ?? []).map { "\n  \($0.sentence)" }.joined()
        return StageResult(
            manifest: manifest,
            summary:
                "batch \(batchId) uploaded: \(created.isEmpty ? "nothing to send" : created.joined(separator: "; ")) (\(details.requests) requests, \(details.retries) retries, \(details.rateLimited) × 429)\(days)"
        )
    }

    /// A run that got no access token: a failed manifest (never a rejection, so no halt and no record blamed) whose
    /// warning says which class of fault it was and what to fix.
    static func tokenFailure(_ error: VismaClientError, manifest draft: StageManifest, batch: BatchID) -> StageResult {
        var manifest = draft
        manifest.status = .failed
        let configuration = error.exitStatus == .configuration
        manifest.warnings = [
            Finding(
                rule: (configuration ? UploadRule.credentialsRefused : UploadRule.connectUnavailable).id,
                message: error.message, file: nil, line: nil,
                record: nil, field: nil,
                hint: configuration
                    ? "a configuration fault, not the batch's: correct the credentials, then run again (nothing was sent)"
                    : "a temporary fault: the next run tries again")
        ]
        let kind = configuration ? "configuration fault" : "temporary fault"
        return StageResult(
            manifest: manifest, summary: "batch \(batch) not uploaded (\(kind)): \(error.message)",
            exitStatus: error.exitStatus)
    }

    func idleDetails() -> UploadRefusal { UploadRefusal() }

    func details(of result: StageResult, claim: BatchClaim) -> UploadRefusal {
        UploadRefusal(rejection: result.manifest?.rejections.first)
    }

    /// The rule id of a batch whose refused records were never sent again: the halt was lifted without `retry`.
    static let stillRefusedRule = UploadRule.refusedUnsent.id

    /// Our hint beside Visma's words, for the refusals a bookkeeper can fix in Visma.
    static func hint(for rejection: (record: PayloadRecord, message: String, rule: String)) -> String {
        switch rejection.rule {
        case ExistingRecord.rule: ExistingRecord.hint
        case stillRefusedRule:
            "a halt is lifted by `flexyvisma retry` once the cause is fixed (it sends refused records again), or by `flexyvisma discard`; "
                + "the batch is archived only when every record is sent"
        default: hint(for: rejection.message, kind: rejection.record.kind)
        }
    }

    static func hint(for message: String, kind: String) -> String {
        if message.contains("Supplier") && message.contains("does not exist") {
            return "create the supplier in Visma (by the name FlexyBox uses), then run `flexyvisma-upload --retry`"
        }
        if message.contains("is closed") {
            return "open the financial period in Visma, then run `flexyvisma-upload --retry`"
        }
        if message.contains("Payment method") { return "create or activate the payment method in Visma, then retry" }
        if message.contains("no open deposit") {
            return
                "record the customer's balance in Visma as a released prepayment (the message names the amount), then run `flexyvisma retry`"
        }
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
            return FileRecord(
                path: "payloads/\(group.fileName)", digest: try DurableFiles.digest(of: url), fileType: "payloads")
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
        StandardStream.error(String(format: "\r  upload: %d/%d records, %.0f/s, ETA %.0f s   ", done, total, rate, eta))
    }

    func finish() {
        if enabled, done > startDone { StandardStream.error("\n") }
    }
}

import DropFormats
import FlexyVismaCore
import Foundation
import GRDB
import Logging

/// Which business days an export carries.
public enum DaySelection: Sendable, Equatable {
    /// Exactly this day (refused when already exported, unless forced).
    case day(BusinessDay)
    /// Every day after the last exported one through yesterday; from the source's first day the first time.
    case sinceLast
    /// These days, in order (`flexyvisma repost --from D --to D`).
    case days([BusinessDay])
}

/// What the export stage was asked to do.
public struct ExportRequest: Sendable {
    public var root: PipelineRoot
    public var configuration: PipelineConfiguration
    public var schemas: SchemaDirectory
    public var selection: DaySelection
    public var force: Bool
    public var runId: String
    public var now: Date
    /// Fault injection for crash tests: `stall-before-publish` stops, forever, after every file is
    /// written and before the batch is renamed into the inbox; `stall-before-supersede` after a
    /// replacement is in the inbox and before the batches it replaces are marked.
    public var fault: String?
    /// Set by `flexyvisma repost`: the days must have been exported before and are exported again (no `--force`
    /// needed), receipts only of `departments` when given; purchase orders are left out (a repost books receipts and payments).
    public var repost: RepostRequest?

    public init(
        root: PipelineRoot, configuration: PipelineConfiguration, schemas: SchemaDirectory, selection: DaySelection,
        force: Bool = false, runId: String = RunLogging.makeRunId(), now: Date = Date(),
        fault: String? = ProcessInfo.processInfo.environment["FLEXYVISMA_FAULT"], repost: RepostRequest? = nil
    ) {
        self.root = root
        self.configuration = configuration
        self.schemas = schemas
        self.selection = selection
        self.force = force
        self.runId = runId
        self.now = now
        self.fault = fault
        self.repost = repost
    }
}

/// The days and master data one export writes, and the batches it replaces.
struct ExportScope {
    var days: [BusinessDay]
    var masterData: MasterDataSelection
    var supersedes: [BatchID] = []
    /// The to-do list taken (struck off once the batch is in the inbox).
    var toDo: ExportState.ToDo?
    /// Days exported again with `--force`, and the batch that carried them.
    var reexported: [String: BatchID] = [:]
    /// Days a discarded batch gave back, and that batch.
    var returned: [String: BatchID] = [:]
}

enum ScopeChoice {
    case export(ExportScope)
    /// The pipeline is halted on a source batch whose source has not changed: nothing is exported.
    case holdBack(String)
}

/// What only the export knows of its run: where the batch went.
public struct ExportedBatch: Sendable {
    public var batchFolder: URL?
}

/// What the export did: a published batch, or nothing to export.
public typealias ExportOutcome = StageOutcome<ExportedBatch>

/// The export stage: FlexyBox source → one batch folder in `inbox/`, atomically (docs/ARCHITECTURE.md, "The pipeline root" and "Drop files").
public struct FlexyBoxExporter {
    public let request: ExportRequest

    public init(_ request: ExportRequest) { self.request = request }

    static let inProgressMarker = ".flexyvisma-export-in-progress"

    public func run() throws -> ExportOutcome {
        guard let sourceSettings = request.configuration.source else {
            throw OperatorMessage(
                .configuration, "\(request.root.configFile.path) configures no source: nothing to export from")
        }
        switch sourceSettings.kind {
        case .sqlite: break  // Read below; another kind will not compile until it has a reader here.
        }
        return try StageLifecycle(root: request.root, runId: request.runId).run(
            ExportWork(request: request, sourcePath: sourceSettings.path))
    }
}

/// One export run; a class because what `process` chose is published afterwards.
private final class ExportWork: SynchronousStageWork {
    let request: ExportRequest
    let sourcePath: String
    private let logger = Logger(label: "flexyvisma-export")
    private var state = ExportState()
    /// Chosen by `process`, recorded as exported by `publish`.
    private var days: [BusinessDay] = []
    private var watermark: String?
    private var supersedes: [BatchID] = []
    private var takenToDo: ExportState.ToDo?

    init(request: ExportRequest, sourcePath: String) {
        self.request = request
        self.sourcePath = sourcePath
    }

    private var root: PipelineRoot { request.root }
    var stage: StageManifest.Stage { .export }
    /// The inbox is fed while the pipeline is halted: what is exported waits in order behind the halt.
    var respectsHalt: Bool { false }

    /// A new batch, once whatever an interrupted export left behind is settled.
    func nextBatch() throws -> StageSelection {
        state = try ExportState.load(from: root)
        let runId = request.runId
        if try state.recover(
            root: root,
            completing: { pending in
                try Supersession.finish(pending.supersedes ?? [], by: pending.batchId, root: root, runId: runId)
            })
        {
            try state.save(to: root)
            logger.notice("settled a batch an interrupted export had left pending")
        }
        try removeAbandonedTemporaryFolders()
        return .batch(BatchID.make(at: request.now))
    }

    /// Written in a hidden folder of the inbox, renamed into place when complete.
    func folder(of batch: BatchID, in root: PipelineRoot) -> URL { root.inboxTemporaryFolder(batch) }

    func process(_ claim: BatchClaim) throws -> StageResult {
        let sourceURL = root.resolve(sourcePath)
        let source = try SourceDatabase(url: sourceURL)
        let scope: ExportScope
        switch try chooseScope(source: source, claim: claim) {
        case .holdBack(let why): return .nothing(why)
        case .export(let chosen): scope = chosen
        }
        days = scope.days

        let temporary = claim.folder
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: false)
        try Data().write(to: temporary.appendingPathComponent(FlexyBoxExporter.inProgressMarker))

        let written: WrittenFiles
        do {
            written = try writeFiles(source: source, days: days, masterData: scope.masterData, into: temporary)
        } catch {
            // A full disk or an I/O error: nothing half-written stays in the inbox.
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard written.records > 0 || !days.isEmpty else {
            try FileManager.default.removeItem(at: temporary)
            return .nothing("nothing to export: no master data changed and no new business day")
        }
        // The in-progress marker stays until the manifest is written (`publish`): until then it is how the next
        // export knows this hidden folder for its own and removes it, whatever step failed.
        watermark = written.watermark
        supersedes = scope.supersedes
        takenToDo = scope.toDo

        var manifest = StageManifest(
            stage: .export, batchId: claim.batchId, runId: request.runId, startedAt: claim.startedAt,
            finishedAt: Date(),
            status: .accepted)
        manifest.inputs = [FileRecord(path: sourceURL.path, digest: try DurableFiles.digest(of: sourceURL))]
        manifest.outputs = written.files
        manifest.counts = written.counts
        manifest.controlTotals = written.totals
        manifest.configHash = try request.configuration.hash()
        var details = ExportDetails(
            source: sourceURL.path, businessDays: days.map(\.text),
            masterDataChangedAfter: scope.masterData.since, masterDataChangedUpTo: written.watermark,
            forced: (request.force || request.repost != nil) && !scope.reexported.isEmpty,
            reexportedFrom: scope.reexported)
        details.masterDataKeys = written.keys
        details.supersedes = scope.supersedes.isEmpty ? nil : scope.supersedes
        details.returnedFrom = scope.returned.isEmpty ? nil : scope.returned
        details.repost = request.repost
        manifest.export = details
        try request.repost?.record(for: claim.batchId, in: root)
        var summary =
            "exported batch \(claim.batchId): \(days.count) business day(s), "
            + written.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        if !scope.supersedes.isEmpty {
            summary +=
                "; it replaces batch \(scope.supersedes.map(\.rawValue).joined(separator: ", ")), refused before upload, whose source has changed"
        }
        return StageResult(manifest: manifest, summary: summary)
    }

    /// What this export takes: the days and master data to write, and the batches it replaces.
    private func chooseScope(source: SourceDatabase, claim: BatchClaim) throws -> ScopeChoice {
        let toDo = state.toDo ?? ExportState.ToDo()
        var scope = ExportScope(
            days: [], masterData: MasterDataSelection(since: state.masterDataWatermark, alsoKeys: toDo.masterData))
        var days = Set(try selectDays(source: source, state: state))
        if case .sinceLast = request.selection {
            if let halted = try HaltedSourceBatch.current(in: root) {
                guard try sourceChanged(since: halted, source: source, claim: claim) else {
                    return .holdBack(
                        "nothing exported: the pipeline is halted on batch \(halted.batchId), and nothing in FlexyBox changed for its days and records since it was exported. Correct what its report names in FlexyBox; the next night exports it again"
                    )
                }
                let waiting = Supersession.waitingSourceBatches(in: root)
                scope.supersedes = [halted.batchId] + waiting.map(\.0)
                days.formUnion(halted.days)
                for (_, export) in waiting { days.formUnion(export.businessDays.compactMap(BusinessDay.init)) }
                scope.masterData.since = halted.export.masterDataChangedAfter
            }
            days.formUnion(toDo.days.keys)
            scope.toDo = toDo.isEmpty ? nil : toDo
        } else if !toDo.masterData.isEmpty {
            scope.toDo = ExportState.ToDo(masterData: toDo.masterData)
        }
        scope.days = days.sorted()
        if request.repost != nil, let never = scope.days.first(where: { state.exportedDays[$0] == nil }) {
            throw OperatorMessage(
                .usage,
                "business day \(never) was never exported: there is nothing to repost; the nightly run exports and books it"
            )
        }
        for day in scope.days {
            guard let earlier = state.exportedDays[day] else { continue }
            if scope.supersedes.contains(earlier) { continue }
            if let returned = scope.toDo?.days[day] {
                scope.returned[day.text] = returned
            } else if request.force || request.repost != nil {
                scope.reexported[day.text] = earlier
            } else {
                throw OperatorMessage(
                    .usage,
                    "business day \(day) was already exported in batch \(earlier); use --force to export it again (it will be recorded in the manifest)"
                )
            }
        }
        return .export(scope)
    }

    /// Writes the halted batch's days again beside the new batch and compares (the probe is removed after).
    private func sourceChanged(
        since halted: HaltedSourceBatch, source: SourceDatabase, claim: BatchClaim
    ) throws -> Bool {
        let probe = root.inbox.appendingPathComponent(".probe-\(claim.batchId.rawValue).tmp", isDirectory: true)
        try FileManager.default.createDirectory(at: probe, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: probe) }
        try Data().write(to: probe.appendingPathComponent(FlexyBoxExporter.inProgressMarker))
        return try source.read { db in
            try halted.sourceChanged(
                db, writers: try DropFileWriters(reading: db, schemas: request.schemas), probe: probe)
        }
    }

    func idleDetails() -> ExportedBatch { ExportedBatch() }

    func details(of result: StageResult, claim: BatchClaim) -> ExportedBatch {
        ExportedBatch(batchFolder: root.inboxFolder(claim.batchId))
    }

    /// Days to export, in order.
    private func selectDays(source: SourceDatabase, state: ExportState) throws -> [BusinessDay] {
        switch request.selection {
        case .day(let day):
            return [day]
        case .days(let days):
            return days
        case .sinceLast:
            return try state.nightDays(source: source, now: request.now, timeZone: request.configuration.timeZone)
        }
    }

    private struct WrittenFiles {
        var keys: [String: [String]] = [:]
        var files: [FileRecord] = []
        var counts: [String: Int] = [:]
        var totals = ControlTotals()
        var records = 0
        var watermark: String?
    }

    /// Writes every drop file from one consistent snapshot of the source; files without records are left out.
    private func writeFiles(
        source: SourceDatabase, days: [BusinessDay], masterData: MasterDataSelection, into folder: URL
    ) throws -> WrittenFiles {
        try source.read { db in
            let writers = try DropFileWriters(reading: db, schemas: request.schemas)
            var result = WrittenFiles()
            result.watermark = try DropFileWriters.newestModification(db) ?? masterData.since

            func keep(_ name: String, _ type: DropFileType, records: Int) throws {
                let url = folder.appendingPathComponent(name)
                guard records > 0 else {
                    try FileManager.default.removeItem(at: url)
                    return
                }
                result.files.append(
                    FileRecord(
                        path: name, digest: try DurableFiles.digest(of: url), fileType: type.rawValue, records: records)
                )
                result.counts[type.rawValue, default: 0] += records
                result.records += records
            }

            func keep(_ type: DropFileType, _ written: MasterDataWritten) throws {
                try keep("\(type.rawValue).\(type.fileExtension)", type, records: written.records)
                if !written.keys.isEmpty { result.keys[type.rawValue] = written.keys }
            }
            try keep(.items, try writers.writeItems(db, masterData, to: folder.appendingPathComponent("items.csv")))
            try keep(
                .calculations,
                try writers.writeCalculations(db, masterData, to: folder.appendingPathComponent("calculations.xml")))
            try keep(
                .customers,
                try writers.writeCustomers(db, masterData, to: folder.appendingPathComponent("customers.csv")))
            guard !days.isEmpty else { return result }

            let payments = try writers.writePayments(db, days: days, to: folder.appendingPathComponent("payments.csv"))
            try keep("payments.csv", .payments, records: payments.records)
            if payments.records > 0 { result.totals.payments = payments.totals }
            if request.repost == nil {
                let orders = try writers.writePurchaseOrders(
                    db, days: days, to: folder.appendingPathComponent("purchase_orders.xml"))
                try keep("purchase_orders.xml", .purchaseOrders, records: orders.records)
                if orders.records > 0 { result.totals.purchaseOrders = orders.totals }
            }

            let only = request.repost?.departments
            let receipts = try writers.writeReceipts(db, days: days, folder: folder) { code, name in
                only.map { $0.contains(code) || $0.contains(name) } ?? true
            }
            for file in receipts {
                try keep(file.fileName, .receipts, records: file.totals.receipts)
                result.totals.receiptDays.append(file.totals)
            }
            return result
        }
    }

    /// Writes the manifest, renames the batch into the inbox and records it, crash-safely.
    func publish(_ manifest: StageManifest, claim: BatchClaim, chain: ManifestChain) throws -> StageManifest {
        let batchId = claim.batchId
        let temporary = claim.folder
        let published = try chain.withLock(purpose: "flexyvisma-export \(batchId)") { session in
            let linked = try session.link(manifest)
            let link = ManifestChain.Link(sha256: linked.sha256, batchId: batchId, fileName: manifest.fileName)
            do {
                try DurableFiles.write(linked.data, to: temporary.appendingPathComponent(manifest.fileName))
                try FileManager.default.removeItem(
                    at: temporary.appendingPathComponent(FlexyBoxExporter.inProgressMarker))
                try DurableFiles.syncFolder(temporary)
                try session.prepare(link)
                state.pending = ExportState.Pending(
                    batchId: batchId, days: days, masterDataWatermark: watermark,
                    supersedes: supersedes.isEmpty ? nil : supersedes, toDo: takenToDo)
                try state.save(to: root)

                if request.fault == "stall-before-publish" {
                    logger.warning("fault injection: stalling before publishing \(batchId)")
                    while true { sleep(60) }
                }

                try DurableFiles.rename(temporary, to: root.inboxFolder(batchId))
            } catch {
                // Not published: the folder goes (when the rename itself went through, it is no longer there to remove).
                try? FileManager.default.removeItem(at: temporary)
                throw error
            }
            if supersedes.isEmpty {
                state.commitPending()
                try state.save(to: root)
            }
            try session.commit(link)
            return linked.manifest
        }
        guard !supersedes.isEmpty else { return published }
        if request.fault == "stall-before-supersede" {
            logger.warning("fault injection: stalling before marking \(supersedes.count) batch(es) superseded")
            while true { sleep(60) }
        }
        // The replaced batches are marked (a chain link each) once the new one is in place; a crash
        // in between is finished by the next export's recovery.
        try Supersession.finish(supersedes, by: batchId, root: root, runId: request.runId)
        state.commitPending()
        try state.save(to: root)
        return published
    }

    /// Removes temporary folders an interrupted export left behind (only ours: they carry the marker).
    private func removeAbandonedTemporaryFolders() throws {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root.inbox.path)) ?? []
        for name in entries where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            // A probe folder (see `sourceChanged`) carries the marker too.
            let folder = root.inbox.appendingPathComponent(name, isDirectory: true)
            let ours = FileManager.default.fileExists(
                atPath: folder.appendingPathComponent(FlexyBoxExporter.inProgressMarker).path)
            let manifest = FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("export.manifest.json").path)
            guard ours || manifest else { continue }
            try FileManager.default.removeItem(at: folder)
            logger.notice("removed \(name), left by an interrupted export")
        }
    }
}

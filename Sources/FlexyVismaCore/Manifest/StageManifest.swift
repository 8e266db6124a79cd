import Foundation

/// What one stage did to one batch: `<stage>.manifest.json` (docs/ARCHITECTURE.md, "Manifests and the audit chain", `Schemas/manifest.schema.json`).
public struct StageManifest: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int = StageManifest.currentSchemaVersion
    public var stage: Stage
    public var batchId: BatchID
    public var runId: String
    public var toolVersion: String
    public var startedAt: String
    public var finishedAt: String
    public var status: Status
    /// The exit the stage's process ended with for this batch (docs/ARCHITECTURE.md, "Exit codes"); how `run` learns the outcome.
    public var exitStatus: ExitStatus?
    public var inputs: [FileRecord] = []
    public var outputs: [FileRecord] = []
    public var rejections: [Finding] = []
    public var warnings: [Finding] = []
    /// Records per record type (`item`, `receipt`, …).
    public var counts: [String: Int] = [:]
    public var controlTotals: ControlTotals?
    public var configHash: String?
    public var referenceSnapshotHash: String?
    public var export: ExportDetails?
    public var upload: UploadDetails?
    /// SHA-256 of the manifest written before this one, by any stage of any batch; nil for the first.
    public var previous: String?

    public init(
        stage: Stage, batchId: BatchID, runId: String, startedAt: Date, finishedAt: Date, status: Status
    ) {
        self.stage = stage
        self.batchId = batchId
        self.runId = runId
        self.toolVersion = FlexyVismaVersion.current
        self.startedAt = Timestamp.iso8601(startedAt)
        self.finishedAt = Timestamp.iso8601(finishedAt)
        self.status = status
    }

    public enum Stage: String, Codable, Sendable, CaseIterable {
        case export, validate, transform, upload, discard
    }

    public enum Status: String, Codable, Sendable {
        case accepted, rejected, failed, skipped
    }

    public var fileName: String { Self.fileName(of: stage) }

    public static func fileName(of stage: Stage) -> String { "\(stage.rawValue).manifest.json" }

    /// Whether a file in a batch folder is a manifest, current or kept from an earlier attempt.
    public static func isManifestFile(_ name: String) -> Bool {
        name.hasSuffix(".manifest.json") || name.contains(".manifest.attempt-")
    }

    /// Moves the stage's manifest in `folder` aside as `STAGE.manifest.attempt-N.json`, N the first
    /// number not taken; returns N, or nil when the stage has no manifest there yet.
    @discardableResult
    public static func keepAsAttempt(_ stage: Stage, in folder: URL) throws -> Int? {
        let current = folder.appendingPathComponent(fileName(of: stage))
        guard FileManager.default.fileExists(atPath: current.path) else { return nil }
        func kept(_ attempt: Int) -> URL {
            folder.appendingPathComponent("\(stage.rawValue).manifest.attempt-\(attempt).json")
        }
        var attempt = 1
        while FileManager.default.fileExists(atPath: kept(attempt).path) { attempt += 1 }
        try DurableFiles.rename(current, to: kept(attempt))
        return attempt
    }

    /// The stage's manifest in a batch folder, or nil when there is none or it does not decode.
    public static func read(_ stage: Stage, in folder: URL) -> StageManifest? {
        read(fileName(of: stage), in: folder)
    }

    /// The manifest of that file name in a batch folder, or nil when there is none or it does not decode.
    public static func read(_ fileName: String, in folder: URL) -> StageManifest? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)) else { return nil }
        return try? decode(data)
    }

    /// Pretty, key-sorted JSON: the bytes whose SHA-256 the next manifest points at.
    public func encoded() throws -> Data {
        try CanonicalJSON.encode(self)
    }

    public static func decode(_ data: Data) throws -> StageManifest {
        try BoundedJSONDecoder.decode(StageManifest.self, from: data)
    }
}

/// One file a stage read or wrote.
public struct FileRecord: Codable, Sendable, Equatable {
    /// Relative to the batch folder.
    public var path: String
    public var bytes: Int64
    public var sha256: String
    /// `items`, `calculations`, `customers`, `payments`, `purchase_orders` or `receipts`.
    public var fileType: String?
    public var records: Int?

    public init(path: String, digest: FileDigest, fileType: String? = nil, records: Int? = nil) {
        self.path = path
        self.bytes = digest.bytes
        self.sha256 = digest.sha256
        self.fileType = fileType
        self.records = records
    }
}

/// A rejection or warning, positioned so that a bookkeeper can find and fix it (docs/VALIDATION.md).
public struct Finding: Codable, Sendable, Equatable {
    public var rule: String
    public var message: String
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var record: String?
    public var field: String?
    public var hint: String?

    public init(
        rule: String, message: String, file: String? = nil, line: Int? = nil, column: Int? = nil,
        record: String? = nil, field: String? = nil, hint: String? = nil
    ) {
        self.rule = rule
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.record = record
        self.field = field
        self.hint = hint
    }
}

extension Finding {
    /// `file:line:column: error[rule-id]: message — hint`, one line of `report.txt`.
    public func reportLine(severity: String = "error") -> String {
        var text = "\(file ?? "-"):\(line ?? 0):\(column ?? 0): \(severity)[\(rule)]: \(message)"
        if let hint { text += " — \(hint)" }
        return text.replacingOccurrences(of: "\n", with: " ")
    }
}

/// Totals an accountant reconciles against FlexyBox's day report (Z report). Amounts are decimal text.
public struct ControlTotals: Codable, Sendable, Equatable {
    public var receiptDays: [ReceiptDayTotals] = []
    public var payments: PaymentTotals?
    public var purchaseOrders: PurchaseOrderTotals?

    public init() {}
}

/// One business day of one department, as the receipts file carries it.
public struct ReceiptDayTotals: Codable, Sendable, Equatable {
    public var businessDay: String
    public var department: String
    public var file: String
    public var receipts: Int
    public var lines: Int
    public var firstReceipt: Int64
    public var lastReceipt: Int64
    /// Sum of line amounts, VAT included, after discounts.
    public var grossSales: String
    public var discounts: String
    /// Gross line amounts per FlexyBox VAT code.
    public var grossByVatCode: [String: String]
    /// Tender amounts per payment type name.
    public var tenders: [String: String]

    public init(
        businessDay: String, department: String, file: String, receipts: Int, lines: Int,
        firstReceipt: Int64, lastReceipt: Int64, grossSales: String, discounts: String,
        grossByVatCode: [String: String], tenders: [String: String]
    ) {
        self.businessDay = businessDay
        self.department = department
        self.file = file
        self.receipts = receipts
        self.lines = lines
        self.firstReceipt = firstReceipt
        self.lastReceipt = lastReceipt
        self.grossSales = grossSales
        self.discounts = discounts
        self.grossByVatCode = grossByVatCode
        self.tenders = tenders
    }
}

public struct PaymentTotals: Codable, Sendable, Equatable {
    public var count: Int
    public var deposits: String
    public var withdrawals: String

    public init(count: Int, deposits: String, withdrawals: String) {
        self.count = count
        self.deposits = deposits
        self.withdrawals = withdrawals
    }
}

public struct PurchaseOrderTotals: Codable, Sendable, Equatable {
    public var count: Int
    public var lines: Int
    public var totalCost: String

    public init(count: Int, lines: Int, totalCost: String) {
        self.count = count
        self.lines = lines
        self.totalCost = totalCost
    }
}

/// What the export stage chose to export, and why.
public struct ExportDetails: Codable, Sendable, Equatable {
    public var source: String
    public var businessDays: [String]
    /// Master data changed after this instant was exported (nil: everything, first export).
    public var masterDataChangedAfter: String?
    public var masterDataChangedUpTo: String?
    /// True when `--force` re-exported days that an earlier batch already carried.
    public var forced: Bool
    /// The earlier batches whose days were exported again (only with `--force`).
    public var reexportedFrom: [String: BatchID]
    /// The master-data records carried, by drop file type (`items`, `calculations`, `customers`): what a
    /// discard gives back to the export's to-do list, and what decides whether the source changed for a halted batch.
    public var masterDataKeys: [String: [String]]? = nil
    /// The batches this one replaces: a batch refused before upload whose source has changed since, and
    /// any source batches that waited behind it.
    public var supersedes: [BatchID]? = nil
    /// Days a discarded batch gave back to the to-do list, and that batch.
    public var returnedFrom: [String: BatchID]? = nil
    /// Set by `flexyvisma repost`: these days are booked again as a difference (`RepostDetails.swift`).
    public var repost: RepostRequest?

    public init(
        source: String, businessDays: [String], masterDataChangedAfter: String?,
        masterDataChangedUpTo: String?, forced: Bool, reexportedFrom: [String: BatchID]
    ) {
        self.source = source
        self.businessDays = businessDays
        self.masterDataChangedAfter = masterDataChangedAfter
        self.masterDataChangedUpTo = masterDataChangedUpTo
        self.forced = forced
        self.reexportedFrom = reexportedFrom
    }
}

/// What the upload stage did, per kind and in requests.
public struct UploadDetails: Codable, Sendable, Equatable {
    public struct KindCounts: Codable, Sendable, Equatable {
        public var created = 0
        public var updated = 0
        public var rejected = 0
        public var unresolved = 0
        public init() {}
    }

    /// Per kind (`inventory`, `customerPayment`, …).
    public var kinds: [String: KindCounts] = [:]
    /// Natural key → Visma id, per kind.
    public var vismaIds: [String: [String: String]] = [:]
    public var requests = 0
    public var retries = 0
    /// Answers with 429.
    public var rateLimited = 0
    /// Existence checks by natural key (recovery, and before any resend of a POST).
    public var lookups = 0
    public var tokenFetches = 0
    /// `sending` rows of an interrupted run, settled by lookup at start.
    public var recovered = 0
    public var durationSeconds = 0.0
    /// A repost batch: what became of each day journal.
    public var reposted: [RepostedJournal]?

    public init() {}
}

/// The tool version written into every manifest.
public enum FlexyVismaVersion {
    public static let current = "0.1.0"
}

/// ISO 8601 instants in UTC with milliseconds, as manifests and logs carry them.
public enum Timestamp {
    /// Milliseconds truncated, never rounded up into the future. A format style, not an
    /// ISO8601DateFormatter: that builds an ICU formatter on every call.
    public static func iso8601(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The time a timestamp written by `iso8601` stands for.
    public static func date(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}

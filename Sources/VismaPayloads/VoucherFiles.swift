import FlexyVismaCore
import Foundation
import VoucherReport

/// One file to attach to a day journal in Visma: its voucher PDF, or the receipts file it was made from.
///
/// Transform writes the PDFs and their list, `vouchers/vouchers.jsonl`, into the batch's `vouchers/` folder (beside
/// `payloads/`, each hashed in its manifest); upload
/// keeps each as a ledger record of kind `voucher` with sequences after the batch's payload records.
public struct VoucherAttachment: Codable, Sendable, Equatable {
    public var sequence: Int
    /// The day journal's own key; Visma's number for it is the ledger's.
    public var journalKey: String
    /// The file name in Visma: one name, one revision.
    public var name: String
    /// Relative to the batch folder.
    public var path: String
    public var contentType: String
    public var bytes: Int64
    public var sha256: String
    /// A receipts file other journals' vouchers point to (one journal per receipt): attached with its journal even
    /// where a repost finds that journal unchanged.
    public var shared: Bool?

    public init(
        sequence: Int, journalKey: String, name: String, path: String, contentType: String, bytes: Int64,
        sha256: String,
        shared: Bool? = nil
    ) {
        self.sequence = sequence
        self.journalKey = journalKey
        self.name = name
        self.path = path
        self.contentType = contentType
        self.bytes = bytes
        self.sha256 = sha256
        self.shared = shared
    }

    public static let kind = "voucher"
    public static let folder = "vouchers"
    public static let listFile = "vouchers.jsonl"
    /// The ledger's key: the journal and the name, so `audit` can say which journal a voucher belongs to.
    public var ledgerKey: String { "\(journalKey)/\(name)" }

    static let nameCharacters = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".unicodeScalars)

    /// The name a file is attached under: letters, digits, `.`, `_` and `-` only (a drop file's name is whatever
    /// the person who dropped it typed: quotes, line breaks or escapes go no further), at most 120 characters, and
    /// named for `batch` when given: `bilag-POS20261122-1-20261130T020000Z-a1b2c3.pdf`.
    public static func name(_ file: String, batch: BatchID? = nil) -> String {
        let dot = file.lastIndex(of: ".") ?? file.endIndex
        let safe = { (text: Substring) in
            String(text.unicodeScalars.map { nameCharacters.contains($0) ? Character($0) : "_" })
        }
        let suffix = safe(file[dot...].prefix(8))
        let stem = safe(file[..<dot]).prefix(120 - suffix.count - (batch.map { $0.rawValue.count + 1 } ?? 0))
        return "\(stem)\(batch.map { "-\($0.rawValue)" } ?? "")\(suffix)"
    }

    /// The batch's attachments, or none when transform made none (a batch without receipts, or from before vouchers).
    public static func read(batchFolder folder: URL) throws -> [VoucherAttachment] {
        let url = folder.appendingPathComponent(Self.folder).appendingPathComponent(listFile)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let data = try Data(contentsOf: url)  // its hash was checked against transform's manifest before upload reads it
        return try data.split(separator: 0x0A).map {
            try BoundedJSONDecoder.decode(VoucherAttachment.self, from: Data($0))
        }
    }
}

/// Writes a batch's vouchers beside its payloads.
enum VoucherFiles {
    /// Each journal's voucher PDF into the batch's `vouchers/`, and the list of attachments: the PDF per journal, and each
    /// receipts file once, with its first journal.
    static func write(
        _ vouchers: [DayVoucher], batch: BatchID, inputs: [FileRecord], firstSequence: Int, batchFolder: URL,
        repost: RepostRequest? = nil
    ) throws -> [FileRecord] {
        // A repost's go on journals that may hold the earlier vouchers: named for the batch (one name, one revision).
        let name = { (file: String) in VoucherAttachment.name(file, batch: repost == nil ? nil : batch) }
        let vouchersFolder = batchFolder.appendingPathComponent(VoucherAttachment.folder, isDirectory: true)
        try? FileManager.default.removeItem(at: vouchersFolder)
        guard !vouchers.isEmpty else { return [] }
        try DurableFiles.makeFolder(vouchersFolder, mode: FileModes.privateFolder)
        var outputs: [FileRecord] = []
        var attachments: [VoucherAttachment] = []
        // A receipts file goes into Visma once, with its first journal (per receipt: its first receipt's).
        var receiptsJournal: [String: String] = [:]
        for var voucher in vouchers {
            guard
                let receipts = inputs.first(where: { ($0.path as NSString).lastPathComponent == voucher.receiptsFile })
            else {
                throw OperatorMessage(
                    .internalError,
                    "the receipts file \(voucher.receiptsFile) of journal \(voucher.journalKey) is not among the batch's inputs"
                )
            }
            voucher.batchId = batch.rawValue
            voucher.receiptsSha256 = receipts.sha256
            let holder = receiptsJournal[voucher.receiptsFile] ?? voucher.journalKey
            receiptsJournal[voucher.receiptsFile] = holder
            voucher.receiptsAttachedTo = holder == voucher.journalKey ? nil : holder
            voucher.repost = repost.map { DayVoucher.Repost(reason: $0.reason, requestedBy: $0.requestedBy) }
            voucher.receiptsFile = name(voucher.receiptsFile)  // the page names the file as Visma lists it
            let url = vouchersFolder.appendingPathComponent(voucher.fileName)
            try DurableFiles.write(try VoucherRenderer.pdf(voucher), to: url)
            let digest = try DurableFiles.digest(of: url)
            outputs.append(
                FileRecord(path: "\(VoucherAttachment.folder)/\(voucher.fileName)", digest: digest, fileType: "voucher")
            )
            attachments.append(
                VoucherAttachment(
                    sequence: firstSequence + attachments.count, journalKey: voucher.journalKey,
                    name: name(voucher.fileName),
                    path: "\(VoucherAttachment.folder)/\(voucher.fileName)", contentType: "application/pdf",
                    bytes: digest.bytes, sha256: digest.sha256))
            guard holder == voucher.journalKey else { continue }
            attachments.append(
                VoucherAttachment(
                    sequence: firstSequence + attachments.count, journalKey: voucher.journalKey,
                    name: voucher.receiptsFile,
                    path: receipts.path, contentType: "application/xml", bytes: receipts.bytes, sha256: receipts.sha256,
                    shared: voucher.scope == .receipt ? true : nil))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for attachment in attachments {
            data.append(try encoder.encode(attachment))
            data.append(0x0A)
        }
        let list = vouchersFolder.appendingPathComponent(VoucherAttachment.listFile)
        try DurableFiles.write(data, to: list)
        try DurableFiles.syncFolder(vouchersFolder)
        outputs.append(
            FileRecord(
                path: "\(VoucherAttachment.folder)/\(VoucherAttachment.listFile)",
                digest: try DurableFiles.digest(of: list), fileType: "vouchers", records: attachments.count))
        return outputs
    }
}

import FlexyVismaCore
import Foundation
import PipelineOperations
import StateStore
import VismaPayloads

/// One journal line reduced to what reconciliation compares: where it lands, how it counts for VAT, and øre.
public struct BookedLine: Sendable, Equatable {
    public var account: String
    public var branch: String?
    public var vatCategory: String?
    public var vatId: String?
    public var debit: Int64
    public var credit: Int64
    public var reference: String?

    /// Account, branch, VAT category and VAT ID: the lines that add up together.
    var netKey: String { [account, branch ?? "", vatCategory ?? "", vatId ?? ""].joined(separator: " · ") }

    /// Credit minus debit per account, branch and VAT over a set of lines, zeros left out.
    static func net(_ lines: [BookedLine]) -> [String: Int64] {
        var totals: [String: Int64] = [:]
        for line in lines { totals[line.netKey, default: 0] &+= line.credit &- line.debit }
        return totals.filter { $0.value != 0 }
    }
}

/// A day journal we booked: the newest batch's lines for its key (a repost's lines replace the original's).
public struct OurJournal: Sendable {
    public var key: String
    public var day: String
    public var branch: String?
    /// The receipts file it was made from (`receipts-….xml`), which ties it to a department's day totals.
    public var origin: String?
    public var batch: BatchID
    public var lines: [BookedLine]
}

/// A customer payment we booked, as the newest batch sent it, with the number Visma gave it.
public struct OurPayment: Sendable {
    public var key: String
    public var number: String
    public var day: String
    /// Always positive: a withdrawal is a refund of this amount.
    public var amount: Int64
    public var type: String
    public var batch: BatchID
}

/// A master-data record or purchase order we created, by our key and Visma's number.
public struct OurMasterRecord: Sendable {
    public var kind: String
    public var key: String
    public var number: String
    public var batch: BatchID
}

/// A voucher (bilag) we attached: the journal it documents, its name, and the id Visma gave the attachment.
public struct OurVoucher: Sendable {
    public var journalKey: String
    public var name: String
    public var attachmentId: String
    /// Visma's number of the journal it is on (for a repost, the journal that holds the corrected day).
    public var journalNumber: String
    public var batch: BatchID
}

/// What the root says we booked in Visma: records the ledger confirmed, from batches neither discarded nor superseded.
public struct OurRecords: Sendable {
    public var journals: [String: OurJournal] = [:]
    public var payments: [String: OurPayment] = [:]
    public var masterRecords: [OurMasterRecord] = []
    public var vouchers: [OurVoucher] = []
    /// Every journal number FlexyVisma created or updated (discarded batches and repost reversals included): never
    /// "unknown to us".
    public var knownJournalNumbers: Set<String> = []
    /// Receipt day totals per receipts file name, from the newest export that carried it.
    public var receiptDays: [String: ReceiptDayTotals] = [:]

    /// A payload or manifest larger than this is not read (a hostile root could hold anything).
    static let fileLimit = 256 * 1024 * 1024

    /// Reads the archive, the work in progress and the ledger (read only: no lock, no migration).
    public static func read(root: PipelineRoot, configuration: PipelineConfiguration) throws -> OurRecords {
        var records = OurRecords()
        guard let ledger = try UploadLedger.Reader.open(root: root) else { return records }
        let folders = BatchLocator.allBatchFolders(in: root).compactMap { folder in
            BatchID(folder.lastPathComponent).map { ($0, folder) }
        }
        for (batch, folder) in folders.sorted(by: { $0.0.rawValue < $1.0.rawValue }) {
            let discarded = StageManifest.read(.discard, in: folder) != nil
            let entries = try ledger.entries(batch: batch)
            for reposted in StageManifest.read(.upload, in: folder)?.upload?.reposted ?? [] {
                if let reversal = reposted.reversal { records.knownJournalNumbers.insert(reversal) }
                if let journal = reposted.journal { records.knownJournalNumbers.insert(journal) }
            }
            var journalNumbers: [String: String] = [:]
            for record in payloadRecords(in: folder) {
                guard let entry = entries[record.sequence], entry.state == .done, let number = entry.vismaId else {
                    continue
                }
                if record.kind == "journalTransaction" {
                    records.knownJournalNumbers.insert(number)
                    journalNumbers[record.key] = number
                }
                guard !discarded else { continue }
                records.add(record, number: number, batch: batch, configuration: configuration)
            }
            if !discarded {
                for attachment in attachments(in: folder) {
                    guard let entry = entries[attachment.sequence], entry.state == .done, let id = entry.vismaId,
                        let journal = journalNumbers[attachment.journalKey]
                    else { continue }  // a reposted day Visma held unchanged got none
                    records.vouchers.append(
                        OurVoucher(
                            journalKey: attachment.journalKey, name: attachment.name, attachmentId: id,
                            journalNumber: journal, batch: batch))
                }
            }
            if !discarded, let export = StageManifest.read(.export, in: folder) {
                for day in export.controlTotals?.receiptDays ?? [] { records.receiptDays[day.file] = day }
            }
        }
        return records
    }

    mutating func add(_ record: PayloadLine, number: String, batch: BatchID, configuration: PipelineConfiguration) {
        let body = record.body
        func value(_ key: String) -> JSONValue? { body[key]?["value"] }
        switch record.kind {
        case "journalTransaction":
            let branch = value("branch")?.stringValue
            let lines = (value("journalTransactionLines") ?? body["journalTransactionLines"])?.arrayValue ?? []
            journals[record.key] = OurJournal(
                key: record.key, day: String((value("transactionDate")?.stringValue ?? "").prefix(10)), branch: branch,
                origin: record.origin,
                batch: batch, lines: lines.compactMap { VismaLines.written($0, journalBranch: branch) })
        case "customerPayment":
            payments[record.key] = OurPayment(
                key: record.key, number: number, day: String((value("applicationDate")?.stringValue ?? "").prefix(10)),
                amount: VismaLines.ore(value("paymentAmount")), type: value("type")?.stringValue ?? "", batch: batch)
        case "inventory", "customer", "purchaseOrder":
            masterRecords.removeAll { $0.kind == record.kind && $0.key == record.key }
            masterRecords.append(OurMasterRecord(kind: record.kind, key: record.key, number: number, batch: batch))
        default:
            break
        }
    }

    /// Our vouchers of the journals whose day is in `range`.
    func vouchers(inRange range: ClosedRange<String>) -> [OurVoucher] {
        vouchers.filter { journals[$0.journalKey].map { range.contains($0.day) } ?? false }
    }

    /// Whether `url` is a regular file of at most `fileLimit` bytes (a link, FIFO or huge file is not read).
    static func isReadable(_ url: URL) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else { return false }
        return attributes[.type] as? FileAttributeType == .typeRegular
            && (attributes[.size] as? Int ?? Int.max) <= fileLimit
    }

    /// The batch's list of vouchers (`vouchers/vouchers.jsonl`); none when it is missing, too large or unreadable.
    static func attachments(in folder: URL) -> [VoucherAttachment] {
        let list = folder.appendingPathComponent(VoucherAttachment.folder).appendingPathComponent(
            VoucherAttachment.listFile)
        guard isReadable(list) else { return [] }
        return (try? VoucherAttachment.read(batchFolder: folder)) ?? []
    }

    /// One line of `payloads/*.jsonl`, read as plain JSON.
    struct PayloadLine {
        var sequence: Int
        var kind: String
        var key: String
        var origin: String?
        var body: JSONValue
    }

    /// The batch's payload records; unreadable lines and files over the limit are left out.
    static func payloadRecords(in folder: URL) -> [PayloadLine] {
        let payloads = folder.appendingPathComponent("payloads", isDirectory: true)
        var lines: [PayloadLine] = []
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: payloads.path)) ?? []).sorted()
        where name.hasSuffix(".jsonl") {
            let url = payloads.appendingPathComponent(name)
            guard isReadable(url), let data = try? Data(contentsOf: url) else { continue }
            for line in data.split(separator: 0x0A) {
                guard let object = try? JSONValue.parse(Data(line)),
                    let sequence = object["sequence"]?.numberValue.flatMap({ Int(exactly: $0) }),
                    let group = object["group"]?.numberValue.flatMap({ Int(exactly: $0) }),
                    let kind = PayloadGroup(rawValue: group)?.kind
                else { continue }
                // The write DTO is kept as JSON text under `body`.
                let body = object["body"]?.stringValue.flatMap { try? JSONValue.parse(Data($0.utf8)) } ?? .null
                lines.append(
                    PayloadLine(
                        sequence: sequence, kind: kind, key: object["key"]?.stringValue ?? "",
                        origin: object["origin"]?.stringValue, body: body))
            }
        }
        return lines
    }
}

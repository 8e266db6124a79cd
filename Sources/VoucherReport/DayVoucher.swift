import FlexyVismaCore
import Foundation

/// What a journal's voucher (bilag) says: one department's business day as its receipts file has it, or one receipt of
/// it when each receipt is its own journal (`scope`).
///
/// Amounts are in øre. `refunds` is the sum of the negative line amounts (a refund or a returned item), shown
/// as a positive amount; `discounts` the line discounts given.
public struct DayVoucher: Sendable, Equatable, Codable {
    public struct Sales: Sendable, Equatable, Codable {
        public var itemGroup: String
        public var vatCode: String
        public var ratePercent: Int
        /// VAT included, after discounts.
        public var gross: Int64

        public init(itemGroup: String, vatCode: String, ratePercent: Int, gross: Int64) {
            self.itemGroup = itemGroup
            self.vatCode = vatCode
            self.ratePercent = ratePercent
            self.gross = gross
        }
    }

    public struct Vat: Sendable, Equatable, Codable {
        public var vatCode: String
        public var ratePercent: Int
        public var vat: Int64

        public init(vatCode: String, ratePercent: Int, vat: Int64) {
            self.vatCode = vatCode
            self.ratePercent = ratePercent
            self.vat = vat
        }
    }

    public struct Tender: Sendable, Equatable, Codable {
        public var type: String
        public var amount: Int64

        public init(type: String, amount: Int64) {
            self.type = type
            self.amount = amount
        }
    }

    /// Why a repost batch books the day again (`flexyvisma repost`), as its voucher says.
    public struct Repost: Sendable, Equatable, Codable {
        public var reason: String
        public var requestedBy: String

        public init(reason: String, requestedBy: String) {
            self.reason = reason
            self.requestedBy = requestedBy
        }
    }

    /// What one voucher covers: a department's business day (its day journal), or one receipt (`journalPerReceipt`).
    public enum Scope: String, Sendable, Equatable, Codable {
        case day
        case receipt
    }

    public var scope: Scope
    public var venue: String
    public var department: String
    public var branch: String?
    public var businessDay: String
    /// The journal's own key (its lines' Ref. no.), e.g. `POS20261123-1`, or `POS-R100001` for a receipt.
    public var journalKey: String
    public var batchId: String
    public var receiptsFile: String
    /// Hex sha256 of the receipts file the voucher was made from.
    public var receiptsSha256: String
    /// The journal the receipts file is attached to when it is not this one: a receipts file goes once into Visma,
    /// with its first receipt's journal. nil: attached to this journal.
    public var receiptsAttachedTo: String?
    public var receipts: Int
    public var firstReceipt: Int64
    public var lastReceipt: Int64
    public var sales: [Sales]
    public var vat: [Vat]
    public var tenders: [Tender]
    public var discounts: Int64
    public var refunds: Int64
    /// Set on a repost batch's voucher: it stands beside the earlier one.
    public var repost: Repost?

    public init(
        venue: String, department: String, branch: String?, businessDay: String, journalKey: String, batchId: String,
        receiptsFile: String, receiptsSha256: String, receipts: Int, firstReceipt: Int64, lastReceipt: Int64,
        sales: [Sales], vat: [Vat], tenders: [Tender], discounts: Int64, refunds: Int64, scope: Scope = .day,
        repost: Repost? = nil
    ) {
        self.scope = scope
        self.venue = venue
        self.department = department
        self.branch = branch
        self.businessDay = businessDay
        self.journalKey = journalKey
        self.batchId = batchId
        self.receiptsFile = receiptsFile
        self.receiptsSha256 = receiptsSha256
        self.receipts = receipts
        self.firstReceipt = firstReceipt
        self.lastReceipt = lastReceipt
        self.sales = sales
        self.vat = vat
        self.tenders = tenders
        self.discounts = discounts
        self.refunds = refunds
        self.repost = repost
    }

    /// Sales VAT included, after discounts.
    public var grossSales: Int64 { sales.reduce(0) { $0 + $1.gross } }
    public var totalVat: Int64 { vat.reduce(0) { $0 + $1.vat } }
    public var totalTenders: Int64 { tenders.reduce(0) { $0 + $1.amount } }

    /// The voucher's file name in Visma: one name per journal, so a second upload would be a second revision.
    public var fileName: String { "bilag-\(journalKey).pdf" }

    /// An amount as a Danish bookkeeper reads it: `1.234,50`.
    public static func danish(_ ore: Int64) -> String {
        let magnitude = ore.magnitude
        var whole = String(magnitude / 100)
        var grouped = ""
        while whole.count > 3 {
            grouped = "." + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        let fraction = magnitude % 100
        return (ore < 0 ? "-" : "") + whole + grouped + "," + (fraction < 10 ? "0" : "") + String(fraction)
    }
}

import DropFormats
import FlexyVismaCore
import Foundation
import VismaAPI
import VoucherReport
import XMLSupport

/// Receipts → balanced journal transactions: revenue net of VAT per item group and VAT code, output
/// VAT per code, tenders gross per payment type, and a rounding line only if øre are left over.
///
/// With `journalVat` `vatTransactions` (the default) a journal is a Visma VAT transaction: revenue
/// lines carry the VAT category, VAT lines the VAT ID on its payable account, every line the
/// journal's key as Ref. no. (`docs/VISMA.md`).
struct JournalBuilder {
    let configuration: PipelineConfiguration
    let reference: ReferenceSnapshot

    struct Journal {
        var records: [PayloadRecord]
        var totals: ReceiptDayTotals
        /// The same journals as lines with amounts, for `flexyvisma plan --journals`.
        var previews: [JournalPreview]
        /// One voucher per journal, in file order, without the batch and the file's hash (the caller knows them).
        var vouchers: [DayVoucher]
    }

    /// Sums of one posting: gross per (item group, VAT code) and per tender type.
    private struct Sums {
        var grossByGroupAndVat: [String: [String: Int64]] = [:]
        var tenders: [String: Int64] = [:]
    }

    /// What a receipts file's root element says, and the file's name.
    private struct FileContext {
        var name: String
        var day = ""
        var department = ""
        var branch: String?
    }

    /// nil for a file of a department that is not enabled for Visma.
    func build(_ url: URL) throws -> Journal? {
        let reader = try XMLStreamReader(path: url.path)
        let perReceipt = configuration.pipeline.receiptsPosting == .journalPerReceipt
        var file = FileContext(name: url.lastPathComponent)
        var scan = Scan()
        var receiptNumber = ""
        var journals: [(record: PayloadRecord, preview: JournalPreview, voucher: DayVoucher)] = []
        while let event = reader.next() {
            switch event {
            case .start(let element):
                switch element.name {
                case "receipts":
                    file.day = element["businessDay"] ?? ""
                    file.department = element["department"] ?? ""
                    guard let settings = configuration.departments[file.department], settings.enabled else {
                        return nil
                    }
                    file.branch = settings.branch
                case "receipt":
                    receiptNumber = element["number"] ?? ""
                    scan.startReceipt(number: Int64(receiptNumber) ?? 0)
                case "line":
                    scan.addLine(
                        group: element["itemGroup"] ?? "", vat: element["vatCode"] ?? "",
                        amount: money(element, "amount"),
                        discount: money(element, "discount"))
                case "tender":
                    scan.addTender(type: element["type"] ?? "", amount: money(element, "amount"))
                default:
                    break
                }
            case .end(let name):
                if name == "receipt", perReceipt {
                    journals.append(try receiptJournal(receiptNumber, file: file, scan: scan))
                }
            }
        }
        if !perReceipt {
            let key = "POS\(file.day.replacingOccurrences(of: "-", with: ""))-\(file.branch ?? "0")"
            let journal = try record(
                number: key, day: file.day, branch: file.branch, description: "FlexyBox \(file.department) \(file.day)",
                sums: scan.daySums, origin: file.name)
            let voucher = try voucher(.day, key: key, file: file, counts: scan.counts, sums: scan.daySums)
            journals.append((journal.record, journal.preview, voucher))
        }
        return Journal(
            records: journals.map(\.record),
            totals: scan.totals(day: file.day, department: file.department, file: file.name),
            previews: journals.map(\.preview), vouchers: journals.map(\.voucher))
    }

    /// One receipt's own journal (`journalPerReceipt`), keyed `POS-R<number>`, and its voucher.
    private func receiptJournal(
        _ number: String, file: FileContext, scan: Scan
    ) throws -> (record: PayloadRecord, preview: JournalPreview, voucher: DayVoucher) {
        let key = "POS-R\(number)"
        let journal = try record(
            number: key, day: file.day, branch: file.branch,
            description: "FlexyBox \(file.department) kvittering \(number)", sums: scan.receiptSums,
            origin: file.name)
        let voucher = try voucher(.receipt, key: key, file: file, counts: scan.receiptCounts, sums: scan.receiptSums)
        return (journal.record, journal.preview, voucher)
    }

    private func money(_ element: XMLElement, _ name: String) -> Int64 {
        element[name].flatMap { FixedPoint(parsing: $0, scale: 2)?.units } ?? 0
    }

    /// What a receipts file adds up to as it is read: per day, per receipt, and the counts.
    private struct Scan {
        var daySums = Sums()
        var receiptSums = Sums()
        var counts = DayCounts()
        /// The current receipt's counts: one receipt, its lines, discounts and refunds.
        var receiptCounts = DayCounts()
        var grossByVat: [String: Int64] = [:]

        mutating func startReceipt(number: Int64) {
            receiptSums = Sums()
            receiptCounts = DayCounts()
            counts.startReceipt(number: number)
            receiptCounts.startReceipt(number: number)
        }

        mutating func addLine(group: String, vat: String, amount: Int64, discount: Int64) {
            counts.addLine(amount: amount, discount: discount)
            receiptCounts.addLine(amount: amount, discount: discount)
            grossByVat[vat, default: 0] += amount
            daySums.grossByGroupAndVat[group, default: [:]][vat, default: 0] += amount
            receiptSums.grossByGroupAndVat[group, default: [:]][vat, default: 0] += amount
        }

        mutating func addTender(type: String, amount: Int64) {
            daySums.tenders[type, default: 0] += amount
            receiptSums.tenders[type, default: 0] += amount
        }

        func totals(day: String, department: String, file: String) -> ReceiptDayTotals {
            ReceiptDayTotals(
                businessDay: day, department: department, file: file, receipts: counts.receipts, lines: counts.lines,
                firstReceipt: counts.first ?? 0, lastReceipt: counts.last,
                grossSales: FixedPoint.money(ore: grossByVat.values.reduce(0, +)).text,
                discounts: FixedPoint.money(ore: counts.discounts).text,
                grossByVatCode: grossByVat.mapValues { FixedPoint.money(ore: $0).text },
                tenders: daySums.tenders.mapValues { FixedPoint.money(ore: $0).text })
        }
    }

    /// What a receipts file, or one receipt of it, held, counted as it is read.
    private struct DayCounts {
        var receipts = 0
        var lines = 0
        var first: Int64?
        var last: Int64 = 0
        var discounts: Int64 = 0
        var refunds: Int64 = 0

        mutating func startReceipt(number: Int64) {
            receipts += 1
            if first == nil { first = number }
            last = number
        }

        mutating func addLine(amount: Int64, discount: Int64) {
            lines += 1
            discounts += discount
            if amount < 0 { refunds -= amount }
        }
    }

    /// A journal's voucher (its day's or its receipt's), without the batch and the file's hash (the caller knows them).
    private func voucher(
        _ scope: DayVoucher.Scope, key: String, file: FileContext, counts: DayCounts, sums: Sums
    ) throws -> DayVoucher {
        var voucher = DayVoucher(
            venue: configuration.venue.name, department: file.department, branch: file.branch,
            businessDay: file.day, journalKey: key, batchId: "", receiptsFile: file.name, receiptsSha256: "",
            receipts: counts.receipts, firstReceipt: counts.first ?? 0, lastReceipt: counts.last, sales: [], vat: [],
            tenders: [], discounts: counts.discounts, refunds: counts.refunds, scope: scope)
        try voucher.fill(sums.grossByGroupAndVat, tenders: sums.tenders, builder: self)
        return voucher
    }

    /// VAT contained in a gross amount at a rate: rounded half away from zero to the øre.
    static func vat(inGross gross: Int64, ratePercent: Int) -> Int64 {
        let numerator = gross * Int64(ratePercent)
        let denominator = Int64(100 + ratePercent)
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        return quotient + (2 * remainder.magnitude >= UInt64(denominator) ? (numerator < 0 ? -1 : 1) : 0)
    }

    private func record(
        number: String, day: String, branch: String?, description: String, sums: Sums, origin: String
    ) throws -> (record: PayloadRecord, preview: JournalPreview) {
        let vatTransactions = configuration.pipeline.effectiveJournalVat == .vatTransactions
        var lines = JournalLines(reference: number, branch: branch)
        let postings = try vatPostings(sums.grossByGroupAndVat)
        for taxable in postings.taxable {
            lines.add(
                account: taxable.account, amount: taxable.net, creditSide: true, text: taxable.text,
                vatCategory: vatTransactions ? taxable.category : nil)
        }
        for vat in postings.vat {
            lines.add(
                account: vat.account, amount: vat.amount, creditSide: true, text: "Salgsmoms \(vat.code) %",
                vatId: vatTransactions ? vat.vatId : nil)
        }
        for (type, amount) in sums.tenders.sorted(by: { $0.key < $1.key }) {
            lines.add(
                account: configuration.paymentTypes[type]?.account ?? "", amount: amount, creditSide: false, text: type)
        }
        if lines.debit != lines.credit {
            lines.add(
                account: configuration.accounts.rounding, amount: lines.debit - lines.credit, creditSide: true,
                text: "Øreafrunding")
        }
        guard let period = reference.financialPeriod(containing: day) else {
            throw OperatorMessage(
                .dataRejected,
                "no financial period in Visma contains \(day) (journal \(number)): validate the batch again against Visma's periods"
            )
        }
        let body = JournalTransactionUpdateDto(
            batchNumber: .init(number), overrideNumberSeries: .init(true), transactionDate: .init("\(day)T00:00:00"),
            financialPeriod: .init(period.period), description: .init(String(description.prefix(60))),
            hold: .init(false),
            branch: branch.map(DtoValue.init), createVatTransaction: vatTransactions ? .init(true) : nil,
            journalTransactionLines: lines.lines)
        let record = try PayloadRecord(
            sequence: 0, group: .journalTransactions, key: number, method: "POST", path: "/v2/journaltransaction",
            lookup: "/v2/journaltransaction/\(PercentEncoding.encode(number))", body: body,
            release: configuration.pipeline.releaseDocuments
                ? "/v2/journaltransaction/\(PercentEncoding.encode(number))/action/release" : nil,
            origin: origin)
        let preview = JournalPreview(
            number: number, businessDay: day, description: description, branch: branch, period: period.period,
            lines: lines.preview)
        return (record, preview)
    }

    /// A revenue line's share: net of VAT, on its group's account, in its VAT category.
    struct TaxablePosting {
        var account: String
        var net: Int64
        var text: String
        var category: String?
    }

    /// The output VAT of one VAT code.
    struct VatPosting {
        var code: String
        var vatId: String
        var account: String
        var amount: Int64
    }

    /// Revenue and VAT of a journal: per VAT code the VAT contained in its gross (the receipts' VAT),
    /// and the revenue lines net of exactly that VAT, so that round(net × rate) is within an øre of it.
    func vatPostings(
        _ grossByGroupAndVat: [String: [String: Int64]]
    ) throws -> (taxable: [TaxablePosting], vat: [VatPosting]) {
        var taxable: [TaxablePosting] = []
        var vats: [VatPosting] = []
        var byCode: [String: [(group: String, gross: Int64)]] = [:]
        for group in grossByGroupAndVat.keys.sorted() {
            for (code, gross) in (grossByGroupAndVat[group] ?? [:]).sorted(by: { $0.key < $1.key }) {
                byCode[code, default: []].append((group, gross))
            }
        }
        for (code, groups) in byCode.sorted(by: { $0.key < $1.key }) {
            let settings = configuration.vatCodes[code]
            let rate = settings?.ratePercent ?? 0
            let vat = Self.vat(inGross: groups.reduce(0) { $0 + $1.gross }, ratePercent: rate)
            var nets = groups.map { $0.gross - Self.vat(inGross: $0.gross, ratePercent: rate) }
            // Per-group rounding may leave øre: they go to the largest group, so the nets sum to gross − VAT.
            if let largest = groups.indices.max(by: { abs(groups[$0].gross) < abs(groups[$1].gross) }) {
                nets[largest] += groups.reduce(0) { $0 + $1.gross } - vat - nets.reduce(0, +)
            }
            for (index, entry) in groups.enumerated() {
                taxable.append(
                    TaxablePosting(
                        account: configuration.itemGroups[entry.group]?.revenueAccount ?? "", net: nets[index],
                        text: "\(entry.group) \(rate) %",
                        category: settings?.vismaVatCategory))
            }
            vats.append(
                VatPosting(
                    code: code, vatId: settings?.vismaVatCode ?? "", account: try vatAccount(code: code), amount: vat))
        }
        return (taxable, vats)
    }

    /// Where a VAT code's output VAT is booked: the VAT ID's payable account in Visma; the configured
    /// `outputVatAccount` only when Visma names none (a snapshot saved before VAT IDs were fetched),
    /// or first with `plainLedgerNoVatReport`. Validation has checked that the two agree.
    func vatAccount(code: String) throws -> String {
        let settings = configuration.vatCodes[code]
        let payable = reference.vats?.first { $0.id == settings?.vismaVatCode }?.payableAccount
        let configured = settings?.outputVatAccount
        let account =
            configuration.pipeline.effectiveJournalVat == .vatTransactions
            ? payable ?? configured : configured ?? payable
        guard let account, !account.isEmpty else {
            throw OperatorMessage(
                .configuration,
                "VAT code \(code): Visma names no VAT payable account for VAT \(settings?.vismaVatCode ?? "?") and vatCodes.\(code).outputVatAccount is not set"
            )
        }
        return account
    }
}

/// The lines of one journal, each carrying the journal's key as Ref. no., with running debit and credit totals.
struct JournalLines {
    let reference: String
    let branch: String?
    var lines: [JournalTransactionLineUpdateDto] = []
    /// The same lines in øre, for the preview.
    var preview: [JournalPreview.Line] = []
    var debit: Int64 = 0
    var credit: Int64 = 0

    init(reference: String, branch: String?) {
        self.reference = reference
        self.branch = branch
    }

    /// A signed amount: positive on its natural side, negative flips to the other; zero adds no line.
    mutating func add(
        account: String, amount: Int64, creditSide: Bool, text: String, vatCategory: String? = nil, vatId: String? = nil
    ) {
        guard amount != 0 else { return }
        let isCredit = (amount > 0) == creditSide
        let value = abs(amount)
        if isCredit { credit += value } else { debit += value }
        preview.append(
            JournalPreview.Line(
                account: account, text: String(text.prefix(60)), vatCategory: vatCategory, vatId: vatId,
                debit: isCredit ? 0 : value, credit: isCredit ? value : 0))
        let lineAmount = DtoValue(Double(value) / 100)
        lines.append(
            JournalTransactionLineUpdateDto(
                operation: .insert, lineNumber: .init(lines.count + 1), accountNumber: .init(account),
                transactionDescription: .init(String(text.prefix(60))),
                debitAmountInCurrency: isCredit ? nil : lineAmount,
                creditAmountInCurrency: isCredit ? lineAmount : nil, referenceNumber: .init(reference),
                vatCodeId: vatCategory.map(DtoValue.init),
                vatId: vatId.map(DtoValue.init), branch: branch.map(DtoValue.init)))
    }
}

extension DayVoucher {
    /// Sales per item group and VAT code, the VAT of each code as the journal books it, and the tenders.
    mutating func fill(
        _ grossByGroupAndVat: [String: [String: Int64]], tenders: [String: Int64], builder: JournalBuilder
    ) throws {
        let rate = { (code: String) in builder.configuration.vatCodes[code]?.ratePercent ?? 0 }
        sales = grossByGroupAndVat.keys.sorted().flatMap { group in
            (grossByGroupAndVat[group] ?? [:]).sorted { $0.key < $1.key }.map {
                DayVoucher.Sales(itemGroup: group, vatCode: $0.key, ratePercent: rate($0.key), gross: $0.value)
            }
        }
        vat = try builder.vatPostings(grossByGroupAndVat).vat.map {
            DayVoucher.Vat(vatCode: $0.code, ratePercent: rate($0.code), vat: $0.amount)
        }
        self.tenders = tenders.sorted { $0.key < $1.key }.map { DayVoucher.Tender(type: $0.key, amount: $0.value) }
    }
}

import DropFormats
import FlexyVismaCore
import Foundation
import VismaAPI
import XMLSupport

/// Receipts → balanced journal transactions: revenue net of VAT per item group and VAT code, output
/// VAT per code, tenders gross per payment type, and a rounding line only if øre are left over.
struct JournalBuilder {
    let configuration: PipelineConfiguration

    struct Journal {
        var records: [PayloadRecord]
        var totals: ReceiptDayTotals
    }

    /// Sums of one posting: gross per (item group, VAT code) and per tender type.
    private struct Sums {
        var grossByGroupAndVat: [String: [String: Int64]] = [:]
        var tenders: [String: Int64] = [:]
    }

    /// nil for a file of a department that is not enabled for Visma.
    func build(_ url: URL) throws -> Journal? {
        let reader = try XMLStreamReader(path: url.path)
        var day = ""
        var department = ""
        var branch: String?
        var perReceipt = configuration.pipeline.receiptsPosting == .journalPerReceipt
        var daySums = Sums()
        var receiptSums = Sums()
        var receiptNumber = ""
        var records: [PayloadRecord] = []
        var totals = (receipts: 0, lines: 0, first: Int64?.none, last: Int64(0), discounts: Int64(0))
        var grossByVat: [String: Int64] = [:]
        while let event = reader.next() {
            switch event {
            case .start(let element):
                func money(_ name: String) -> Int64 { element[name].flatMap { FixedPoint(parsing: $0, scale: 2)?.units } ?? 0 }
                switch element.name {
                case "receipts":
                    day = element["businessDay"] ?? ""
                    department = element["department"] ?? ""
                    guard let settings = configuration.departments[department], settings.enabled else { return nil }
                    branch = settings.branch
                    perReceipt = configuration.pipeline.receiptsPosting == .journalPerReceipt
                case "receipt":
                    receiptNumber = element["number"] ?? ""
                    receiptSums = Sums()
                    totals.receipts += 1
                    let number = Int64(receiptNumber) ?? 0
                    if totals.first == nil { totals.first = number }
                    totals.last = number
                case "line":
                    let group = element["itemGroup"] ?? ""
                    let vat = element["vatCode"] ?? ""
                    let amount = money("amount")
                    totals.lines += 1
                    totals.discounts += money("discount")
                    grossByVat[vat, default: 0] += amount
                    daySums.grossByGroupAndVat[group, default: [:]][vat, default: 0] += amount
                    receiptSums.grossByGroupAndVat[group, default: [:]][vat, default: 0] += amount
                case "tender":
                    let type = element["type"] ?? ""
                    daySums.tenders[type, default: 0] += money("amount")
                    receiptSums.tenders[type, default: 0] += money("amount")
                default:
                    break
                }
            case .end(let name):
                if name == "receipt", perReceipt {
                    let number = "POS-R\(receiptNumber)"
                    records.append(try record(number: number, day: day, branch: branch, description: "FlexyBox \(department) kvittering \(receiptNumber)",
                                          sums: receiptSums, origin: url.lastPathComponent))
                }
            }
        }
        if !perReceipt {
            let compactDay = day.replacingOccurrences(of: "-", with: "")
            let number = "POS\(compactDay)-\(branch ?? "0")"
            records.append(try record(number: number, day: day, branch: branch, description: "FlexyBox \(department) \(day)", sums: daySums,
                                  origin: url.lastPathComponent))
        }
        let gross = grossByVat.values.reduce(0, +)
        let dayTotals = ReceiptDayTotals(
            businessDay: day, department: department, file: url.lastPathComponent, receipts: totals.receipts, lines: totals.lines,
            firstReceipt: totals.first ?? 0, lastReceipt: totals.last, grossSales: FixedPoint.money(ore: gross).text,
            discounts: FixedPoint.money(ore: totals.discounts).text,
            grossByVatCode: grossByVat.mapValues { FixedPoint.money(ore: $0).text },
            tenders: daySums.tenders.mapValues { FixedPoint.money(ore: $0).text })
        return Journal(records: records, totals: dayTotals)
    }

    /// VAT contained in a gross amount at a rate: rounded half away from zero to the øre.
    static func vat(inGross gross: Int64, ratePercent: Int) -> Int64 {
        let numerator = gross * Int64(ratePercent)
        let denominator = Int64(100 + ratePercent)
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        return quotient + (2 * remainder.magnitude >= UInt64(denominator) ? (numerator < 0 ? -1 : 1) : 0)
    }

    private func record(number: String, day: String, branch: String?, description: String, sums: Sums, origin: String) throws -> PayloadRecord {
        var lines: [JournalTransactionLineUpdateDto] = []
        var debit: Int64 = 0
        var credit: Int64 = 0
        /// A signed amount: positive on its natural side, negative flips to the other.
        func add(account: String, amount: Int64, creditSide: Bool, text: String, vatCode: String? = nil) {
            guard amount != 0 else { return }
            let isCredit = (amount > 0) == creditSide
            let value = abs(amount)
            if isCredit { credit += value } else { debit += value }
            let lineAmount = DtoValue(Double(value) / 100)
            lines.append(JournalTransactionLineUpdateDto(
                operation: .insert, lineNumber: .init(lines.count + 1), accountNumber: .init(account),
                transactionDescription: .init(String(text.prefix(60))), debitAmountInCurrency: isCredit ? nil : lineAmount,
                creditAmountInCurrency: isCredit ? lineAmount : nil, vatCodeId: vatCode.map(DtoValue.init), branch: branch.map(DtoValue.init), referenceNumber: .init(number)))
        }
        var vatByCode: [String: Int64] = [:]
        for group in sums.grossByGroupAndVat.keys.sorted() {
            for (code, gross) in (sums.grossByGroupAndVat[group] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let settings = configuration.vatCodes[code]
                let vat = Self.vat(inGross: gross, ratePercent: settings?.ratePercent ?? 0)
                vatByCode[code, default: 0] += vat
                add(account: configuration.itemGroups[group]?.revenueAccount ?? "", amount: gross - vat, creditSide: true,
                    text: "\(group) \(settings?.ratePercent ?? 0) %", vatCode: settings?.vismaVatCode)
            }
        }
        for (code, vat) in vatByCode.sorted(by: { $0.key < $1.key }) {
            add(account: configuration.vatCodes[code]?.outputVatAccount ?? "", amount: vat, creditSide: true, text: "Salgsmoms \(code) %")
        }
        for (type, amount) in sums.tenders.sorted(by: { $0.key < $1.key }) {
            add(account: configuration.paymentTypes[type]?.account ?? "", amount: amount, creditSide: false, text: type)
        }
        if debit != credit {
            add(account: configuration.accounts.rounding, amount: debit - credit, creditSide: true, text: "Øreafrunding")
        }
        let period = String(day.prefix(4) + day.dropFirst(5).prefix(2))
        let body = JournalTransactionUpdateDto(
            batchNumber: .init(number), overrideNumberSeries: .init(true), transactionDate: .init("\(day)T00:00:00"),
            financialPeriod: .init(period), description: .init(String(description.prefix(60))), hold: .init(false),
            branch: branch.map(DtoValue.init), journalTransactionLines: lines)
        return try PayloadRecord(
            sequence: 0, group: .journalTransactions, key: number, method: "POST", path: "/v2/journaltransaction",
            lookup: "/v2/journaltransaction/\(PercentEncoding.encode(number))", body: body,
            release: configuration.pipeline.releaseDocuments ? "/v2/journaltransaction/\(PercentEncoding.encode(number))/action/release" : nil,
            origin: origin)
    }
}

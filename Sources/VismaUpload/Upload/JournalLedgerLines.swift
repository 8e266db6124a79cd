import FlexyVismaCore
import Foundation
import VismaAPI

/// One journal line as the repost compares and rebuilds it: amounts in øre, VAT category and VAT ID by id.
struct LedgerLine: Sendable, Equatable {
    var account: String
    var branch: String?
    var vatCategory: String?
    var vatId: String?
    var debit: Int64
    var credit: Int64
    var text: String?
    var reference: String?
    /// Visma's line number, for a line read from Visma.
    var lineNumber: Int?

    /// What the comparison adds up per line: where it lands and how it counts for VAT.
    var netKey: String { [account, branch ?? "", vatCategory ?? "", vatId ?? ""].joined(separator: "|") }

    /// The same line on the other side: a reversal.
    var reversed: LedgerLine {
        var line = self
        (line.debit, line.credit) = (credit, debit)
        line.lineNumber = nil
        return line
    }

    /// A line of a write DTO as transform wrote it (`{"value": …}` wrappers).
    init?(written line: JSONValue, journalBranch: String?) {
        func value(_ key: String) -> JSONValue? { line[key]?["value"] }
        guard let account = value("accountNumber")?.stringValue else { return nil }
        self.account = account
        branch = value("branch")?.stringValue ?? journalBranch
        vatCategory = value("vatCodeId")?.stringValue
        vatId = value("vatId")?.stringValue
        debit = Self.ore(value("debitAmountInCurrency"))
        credit = Self.ore(value("creditAmountInCurrency"))
        text = value("transactionDescription")?.stringValue
        reference = value("referenceNumber")?.stringValue
        lineNumber = value("lineNumber")?.numberValue.flatMap { Int(exactly: $0) }
    }

    /// A line of a journal Visma shows (`JournalTransactionDto`): ids plain or inside `{id, description}` objects.
    init?(held line: JSONValue, journalBranch: String?) {
        func identifier(_ key: String) -> String? {
            guard let field = line[key], field != .null else { return nil }
            return field.stringValue ?? field["id"]?.stringValue ?? field["number"]?.stringValue
        }
        guard let account = identifier("accountNumber") ?? identifier("account") else { return nil }
        self.account = account
        branch = identifier("branch") ?? journalBranch
        vatCategory = identifier("vatCode") ?? identifier("vatCodeId")
        vatId = identifier("vat") ?? identifier("vatId")
        debit = Self.ore(line["debitAmountInCurrency"] ?? line["debitAmount"])
        credit = Self.ore(line["creditAmountInCurrency"] ?? line["creditAmount"])
        text = line["transactionDescription"]?.stringValue
        reference = line["referenceNumber"]?.stringValue
        lineNumber = line["lineNumber"]?.numberValue.flatMap { Int(exactly: $0) }
    }

    /// A decimal amount to øre, half away from zero; 0 for a missing, non-numeric or absurd value.
    static func ore(_ value: JSONValue?) -> Int64 {
        guard let number = value?.numberValue, number.isFinite, abs(number) < 1e13 else { return 0 }
        return Int64((number * 100).rounded(.toNearestOrAwayFromZero))
    }

    /// The write DTO line: `operation` and `lineNumber` as the PUT or POST needs them.
    func dto(operation: LineOperation, lineNumber: Int, reference: String) -> JournalTransactionLineUpdateDto {
        let isCredit = credit > 0
        let amount = DtoValue(Double(isCredit ? credit : debit) / 100)
        return JournalTransactionLineUpdateDto(
            operation: operation, lineNumber: .init(lineNumber), accountNumber: .init(account),
            transactionDescription: text.map { DtoValue(String($0.prefix(60))) },
            debitAmountInCurrency: isCredit ? nil : amount,
            creditAmountInCurrency: isCredit ? amount : nil, referenceNumber: .init(reference),
            vatCodeId: vatCategory.map(DtoValue.init),
            vatId: vatId.map(DtoValue.init), branch: branch.map(DtoValue.init))
    }

    /// Credit minus debit per account, branch and VAT: what a set of journals books, zeros left out.
    static func net(_ lines: [LedgerLine]) -> [String: Int64] {
        var totals: [String: Int64] = [:]
        for line in lines { totals[line.netKey, default: 0] += line.credit - line.debit }
        return totals.filter { $0.value != 0 }
    }
}

/// A journal Visma holds for one of our day keys.
struct HeldJournal: Sendable, Equatable {
    var number: String
    var status: String
    var period: String
    var date: String
    var description: String
    var branch: String?
    var lines: [LedgerLine]

    init?(_ journal: JSONValue) {
        guard let number = journal["batchNumber"]?.stringValue else { return nil }
        self.number = number
        status = journal["status"]?.stringValue ?? ""
        period = journal["financialPeriod"]?.stringValue ?? ""
        date = String((journal["transactionDate"]?.stringValue ?? "").prefix(10))
        description = journal["description"]?.stringValue ?? ""
        let branch = journal["branch"].flatMap { $0.stringValue ?? $0["number"]?.stringValue ?? $0["id"]?.stringValue }
        self.branch = branch
        lines = (journal["journalTransactionLines"]?.arrayValue ?? []).compactMap {
            LedgerLine(held: $0, journalBranch: branch)
        }
    }

    /// Released (or posted): final in Visma, corrected only by a reversing journal.
    var isReleased: Bool { ["Released", "Posted"].contains(status) }

    /// The journal this one reverses, when it is one of our reversals.
    var reverses: String? {
        guard description.hasPrefix(JournalRepost.reversalPrefix) else { return nil }
        let rest = description.dropFirst(JournalRepost.reversalPrefix.count)
        return rest.split(separator: ":", maxSplits: 1).first.map { String($0).trimmingCharacters(in: .whitespaces) }
    }
}

import FlexyVismaCore
import Foundation

/// One way Visma and what we sent disagree.
public struct Difference: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// We booked it (the ledger says done) and Visma does not hold it.
        case missingInVisma = "missing in Visma"
        /// Visma holds it with other amounts, accounts, VAT or lines; a payment voided in Visma.
        case changedInVisma = "changed in Visma"
        /// A record carrying our reference in the venue's branches that FlexyVisma did not make.
        case unknownToUs = "booked in our name, unknown to us"
        /// A department's day in Visma does not add up to its receipts file.
        case dayTotal = "day total differs from the receipts"
    }

    public var kind: Kind
    /// `journalTransaction`, `customerPayment`, `inventory`, …
    public var record: String
    /// Our key (`POS20261122-1`, a payment id, an item number).
    public var key: String
    /// Visma's number(s), when Visma holds it.
    public var vismaNumber: String?
    public var day: String?
    public var department: String?
    /// Which account, field or total differs.
    public var field: String?
    public var ours: Int64?
    public var visma: Int64?
    public var explanation: String
}

/// What reconciliation found, and what it read.
public struct ReconciliationResult: Sendable {
    public var from: String
    public var to: String
    public var differences: [Difference]
    public var journalsCompared: Int
    public var paymentsCompared: Int
    public var masterRecordsCompared: Int
    public var daysCompared: Int
    public var vouchersCompared: Int
    public var requests: Int

    public var agrees: Bool { differences.isEmpty }
}

/// Compares what the root says we booked with what Visma holds.
struct Reconciler {
    var ours: OurRecords
    var held: VismaHoldings
    /// The venue's branches (enabled departments'): where a journal with our reference is ours to explain.
    var branches: Set<String>
    var tenderAccounts: Set<String>
    var roundingAccount: String
    var departmentOfBranch: [String: String]

    /// Our day journal keys: `POS<yyyymmdd>-<branch>` (a daily journal) and `POS-R<receipt>` (a journal per receipt).
    static func isOurJournalKey(_ text: String) -> Bool {
        let characters = Array(text.utf8)
        guard characters.count > 5, text.hasPrefix("POS") else { return false }
        if text.hasPrefix("POS-R") { return characters.dropFirst(5).allSatisfy { (0x30...0x39).contains($0) } }
        let digits = characters.dropFirst(3).prefix(8)
        return digits.count == 8 && digits.allSatisfy { (0x30...0x39).contains($0) } && characters.count > 12
            && characters[11] == UInt8(ascii: "-")
    }

    func journals(inRange range: ClosedRange<String>) -> [OurJournal] {
        ours.journals.values.filter { range.contains($0.day) }.sorted { $0.key < $1.key }
    }

    func compareJournals(_ range: ClosedRange<String>) -> [Difference] {
        var differences: [Difference] = []
        let ourOnes = journals(inRange: range)
        for journal in ourOnes {
            let holding = held.journals.values.filter {
                $0.carries(journal.key) && ours.knownJournalNumbers.contains($0.number)
            }
            let numbers = holding.map(\.number).sorted().joined(separator: ", ")
            let department = journal.branch.flatMap { departmentOfBranch[$0] }
            guard !holding.isEmpty else {
                differences.append(
                    Difference(
                        kind: .missingInVisma, record: "journalTransaction", key: journal.key, vismaNumber: nil,
                        day: journal.day, department: department,
                        field: nil, ours: nil, visma: nil,
                        explanation:
                            "journal \(journal.key) (\(journal.day)) was booked by batch \(journal.batch) and Visma no longer holds it (deleted in Visma?)"
                    ))
                continue
            }
            let want = BookedLine.net(journal.lines)
            let have = BookedLine.net(holding.flatMap(\.lines))
            for line in Set(want.keys).union(have.keys).sorted() where want[line] != have[line] {
                differences.append(
                    Difference(
                        kind: .changedInVisma, record: "journalTransaction", key: journal.key, vismaNumber: numbers,
                        day: journal.day,
                        department: department, field: line, ours: want[line] ?? 0, visma: have[line] ?? 0,
                        explanation:
                            "journal \(numbers) for \(journal.key): \(line) books \(Self.money(have[line] ?? 0)) (credit − debit) in Visma, \(Self.money(want[line] ?? 0)) as we sent it"
                    ))
            }
        }
        let ourKeys = Set(ours.journals.keys)
        for journal in held.journals.values.sorted(by: { $0.number < $1.number })
        where !ours.knownJournalNumbers.contains(journal.number) {
            let references = Set(journal.lines.compactMap(\.reference).filter(Self.isOurJournalKey))
            guard !references.isEmpty,
                branches.contains(journal.branch ?? "")
                    || journal.lines.contains(where: { branches.contains($0.branch ?? "") })
            else { continue }
            guard
                range.contains(journal.date)
                    || references.contains(where: { key in ours.journals[key].map { range.contains($0.day) } ?? false })
            else { continue }
            let keys = references.sorted().joined(separator: ", ")
            let total = journal.lines.reduce(Int64(0)) { $0 &+ $1.debit }
            differences.append(
                Difference(
                    kind: .unknownToUs, record: "journalTransaction", key: keys, vismaNumber: journal.number,
                    day: journal.date,
                    department: journal.branch.flatMap { departmentOfBranch[$0] }, field: "debit total", ours: nil,
                    visma: total,
                    explanation:
                        "journal \(journal.number) (\(journal.date), \"\(journal.description)\") carries our reference \(keys) but FlexyVisma did not book it"
                        + (references.isSubset(of: ourKeys) ? "; it is left out of the day's comparison" : "")))
        }
        return differences
    }

    static func money(_ ore: Int64) -> String { FixedPoint.money(ore: ore).text }

    /// Our vouchers of journals in the range whose journal Visma holds (a deleted journal is reported as such).
    func vouchers(inRange range: ClosedRange<String>) -> [OurVoucher] {
        ours.vouchers(inRange: range).filter { held.journals[$0.journalNumber] != nil }
    }

    /// A voucher no longer on its journal, or one whose file Visma now holds in a later revision than we attached.
    func compareVouchers(_ range: ClosedRange<String>) -> [Difference] {
        vouchers(inRange: range).compactMap { voucher in
            let journal = ours.journals[voucher.journalKey]
            let department = journal?.branch.flatMap { departmentOfBranch[$0] }
            let revision = held.journals[voucher.journalNumber]?.attachments?[voucher.attachmentId.lowercased()]
            let archived = "batch \(voucher.batch.rawValue)'s vouchers/ in the archive holds the file"
            if let revision, revision <= 1 { return nil }
            return Difference(
                kind: revision == nil ? .missingInVisma : .changedInVisma, record: "voucher",
                key: "\(voucher.journalKey)/\(voucher.name)", vismaNumber: voucher.journalNumber, day: journal?.day,
                department: department, field: revision.map { "revision \($0)" }, ours: nil, visma: nil,
                explanation: revision == nil
                    ? "voucher \(voucher.name) is no longer attached to journal \(voucher.journalNumber) in Visma (attachment \(voucher.attachmentId)): the posting has no documentation there; \(archived)"
                    : "voucher \(voucher.name) on journal \(voucher.journalNumber) is in revision \(revision ?? 0) in Visma; FlexyVisma attached revision 1, so Visma now shows other bytes under our name; \(archived)"
            )
        }
    }
}

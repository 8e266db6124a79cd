import FlexyVismaCore
import Foundation

/// Day totals against the receipts, customer payments and master data.
extension Reconciler {
    /// Per department and business day: tenders and gross sales in Visma (our journals for the receipts file, the repost's
    /// reversals and corrections included) against the receipts file's control totals, to the øre.
    func compareDays(_ range: ClosedRange<String>) -> (differences: [Difference], days: Int) {
        var differences: [Difference] = []
        var days = 0
        for (file, totals) in ours.receiptDays.sorted(by: { $0.key < $1.key }) where range.contains(totals.businessDay)
        {
            let keys = Set(ours.journals.values.filter { $0.origin == file }.map(\.key))
            guard !keys.isEmpty else { continue }  // a department not sent to Visma
            let holding = held.journals.values.filter { journal in
                ours.knownJournalNumbers.contains(journal.number) && keys.contains { journal.carries($0) }
            }
            guard !holding.isEmpty else { continue }  // reported as missing
            days += 1
            let lines = holding.flatMap(\.lines).filter { $0.reference.map(keys.contains) ?? false }
            let tenders = lines.filter { tenderAccounts.contains($0.account) }.reduce(Int64(0)) {
                $0 &+ $1.debit &- $1.credit
            }
            let gross = lines.filter { !tenderAccounts.contains($0.account) && $0.account != roundingAccount }
                .reduce(Int64(0)) { $0 &+ $1.credit &- $1.debit }
            let receiptTenders = totals.tenders.values.reduce(Int64(0)) {
                $0 &+ (FixedPoint(parsing: $1, scale: 2)?.units ?? 0)
            }
            let receiptGross = FixedPoint(parsing: totals.grossSales, scale: 2)?.units ?? 0
            let numbers = holding.map(\.number).sorted().joined(separator: ", ")
            for (field, visma, receipts) in [
                ("tenders", tenders, receiptTenders), ("gross sales", gross, receiptGross),
            ] where visma != receipts {
                differences.append(
                    Difference(
                        kind: .dayTotal, record: "journalTransaction", key: keys.sorted().joined(separator: ", "),
                        vismaNumber: numbers,
                        day: totals.businessDay, department: totals.department, field: field, ours: receipts,
                        visma: visma,
                        explanation:
                            "\(totals.department) \(totals.businessDay): \(field) \(Self.money(visma)) in Visma (journal \(numbers)), \(Self.money(receipts)) in \(file)"
                    ))
            }
        }
        return (differences, days)
    }

    /// Our customer payments against Visma's: missing, voided, or another amount.
    func comparePayments(_ range: ClosedRange<String>) -> (differences: [Difference], compared: Int) {
        var differences: [Difference] = []
        let payments = ours.payments.values.filter { range.contains($0.day) }.sorted { $0.key < $1.key }
        for payment in payments {
            func difference(_ kind: Difference.Kind, field: String?, visma: Int64?, _ explanation: String) -> Difference
            {
                Difference(
                    kind: kind, record: "customerPayment", key: payment.key, vismaNumber: payment.number,
                    day: payment.day, department: nil,
                    field: field, ours: field == nil ? nil : payment.amount, visma: visma, explanation: explanation)
            }
            guard let held = held.payments[payment.number] else {
                differences.append(
                    difference(
                        .missingInVisma, field: nil, visma: nil,
                        "payment \(payment.key) (Visma \(payment.number), \(payment.day)) was booked by batch \(payment.batch) and Visma no longer holds it"
                    ))
                continue
            }
            if held.status == "Voided" {
                differences.append(
                    difference(
                        .changedInVisma, field: "status", visma: 0,
                        "payment \(payment.key) (Visma \(payment.number), \(payment.day)) was voided in Visma; we booked \(Self.money(payment.amount))"
                    ))
            } else if held.amount != payment.amount {
                differences.append(
                    difference(
                        .changedInVisma, field: "amount", visma: held.amount,
                        "payment \(payment.key) (Visma \(payment.number)): \(Self.money(held.amount)) in Visma, \(Self.money(payment.amount)) as we sent it"
                    ))
            } else if held.paymentRef != payment.key {
                differences.append(
                    difference(
                        .changedInVisma, field: "paymentRef", visma: nil,
                        "payment \(payment.number): Payment Ref. is '\(held.paymentRef)' in Visma, '\(payment.key)' as we sent it"
                    ))
            }
        }
        return (differences, payments.count)
    }

    /// Items, customers and purchase orders we created that Visma no longer lists.
    func compareMasterRecords() -> (differences: [Difference], compared: Int) {
        var differences: [Difference] = []
        var compared = 0
        for record in ours.masterRecords.sorted(by: { ($0.kind, $0.key) < ($1.kind, $1.key) }) {
            guard let numbers = held.masterNumbers[record.kind] else { continue }
            compared += 1
            guard !numbers.contains(record.number) else { continue }
            differences.append(
                Difference(
                    kind: .missingInVisma, record: record.kind, key: record.key, vismaNumber: record.number, day: nil,
                    department: nil, field: nil,
                    ours: nil, visma: nil,
                    explanation:
                        "\(record.kind) \(record.key) (Visma \(record.number)) was created by batch \(record.batch) and Visma no longer lists it"
                ))
        }
        return (differences, compared)
    }
}

import FlexyVismaCore
import Foundation
import StateStore
import VismaAPI
import VismaPayloads

/// A repost batch (`flexyvisma repost`, `RepostRequest` in its export manifest): its day journals book the difference
/// to what Visma holds (`JournalRepost`); its payments and purchase orders Visma already holds are not sent again.
extension UploadWork {
    /// The rule id of a day journal the repost could not book.
    static let repostRefusedRule = "repost.refused"

    /// Books each day journal not done yet; the first refusal stops it (a halt with Visma's or our words).
    func repostJournals(
        _ journals: [PayloadRecord], batch: BatchID, wire: Wire, reference: ReferenceSnapshot?, details: inout UploadDetails, sent: inout Sent
    ) async throws {
        let entries = try ledger.entries(batch: batch)
        let repost = JournalRepost(sender: wire.senders[0], reference: reference, releaseDocuments: configuration.pipeline.releaseDocuments)
        var reposted = details.reposted ?? []
        defer { details.reposted = reposted }
        for record in journals {
            guard let entry = entries[record.sequence] else { continue }
            if entry.state == .done {
                reposted.append(RepostedJournal(
                    key: record.key, outcome: "unchanged", sentence: "\(record.key): booked by an earlier run of this batch (journal \(entry.vismaId ?? "?"))",
                    journal: entry.vismaId, reversal: nil))
                continue
            }
            guard [.pending, .sending].contains(entry.state) else { continue }
            try ledger.markSending(batch: batch, sequences: [record.sequence])
            let outcome: JournalRepost.Outcome
            do {
                outcome = try await repost.repost(record)
            } catch let refusal {
                if refusal.unresolved {
                    sent.unresolved += 1  // stays `sending`: the next run looks at Visma again before booking anything
                    details.kinds[record.kind, default: .init()].unresolved += 1
                    return
                }
                try ledger.record(batch: batch, [(record.sequence, .rejected, nil, refusal.message)])
                details.kinds[record.kind, default: .init()].rejected += 1
                sent.rejection = (record, refusal.message, Self.repostRefusedRule)
                return
            }
            try ledger.record(batch: batch, [(record.sequence, .done, outcome.number, outcome.sentence)])
            reposted.append(RepostedJournal(
                key: record.key, outcome: outcome.kind.rawValue, sentence: outcome.sentence, journal: outcome.number, reversal: outcome.reversal))
            if outcome.kind != .unchanged { details.kinds[record.kind, default: .init()].updated += 1 }
            details.vismaIds[record.kind, default: [:]][record.key] = outcome.number ?? record.key
        }
    }

    /// Payments and purchase orders of a reposted day that Visma holds already are done, not created again; a customer
    /// payment whose amount or type changed since halts (changing a booked payment is not done by a repost).
    func settleRepostedDocuments(_ records: [PayloadRecord], batch: BatchID, sender: RecordSender, reference: ReferenceSnapshot?, sent: inout Sent) async throws {
        let entries = try ledger.entries(batch: batch)
        let documents = records.filter { [.customerPayments, .purchaseOrders].contains($0.group) && entries[$0.sequence]?.state == .pending }
        guard !documents.isEmpty else { return }
        let book = try NumberBook(ledger: ledger, records: documents, reference: reference)
        for record in documents {
            guard let addressed = try? book.address(record) else { continue }  // its customer is new: the create path sends it
            switch await sender.locate(addressed) {
            case .absent: continue
            case .unknown(let reason):
                throw OperatorMessage(.temporaryFailure, "cannot tell whether Visma holds \(record.kind) \(record.key) already (\(reason)); nothing was sent; try again later")
            case .found(let number):
                if let change = await paymentChange(record, number: number, sender: sender) {
                    try ledger.record(batch: batch, [(record.sequence, .rejected, nil, change)])
                    sent.rejection = (record, change, Self.repostRefusedRule)
                    return
                }
                try ledger.record(batch: batch, [(record.sequence, .done, number, "held by Visma before this repost")])
            }
        }
    }

    /// Why a booked customer payment differs from the reposted one (amount or type), nil when it does not.
    private func paymentChange(_ record: PayloadRecord, number: String, sender: RecordSender) async -> String? {
        guard record.group == .customerPayments else { return nil }
        let path = NumberBook.fill(record.lookup, number: number)
        guard let response = await sender.exchange("GET", path), response.status == 200, let held = try? JSONValue.parse(response.body) else {
            return nil
        }
        let ours = record.body
        let amount = LedgerLine.ore(ours["paymentAmount"]?["value"])
        let heldAmount = LedgerLine.ore(held["paymentAmount"] ?? held["amount"])
        let type = ours["type"]?["value"]?.stringValue
        let heldType = held["type"]?.stringValue
        guard amount != heldAmount || (heldType != nil && type != heldType) else { return nil }
        return "customer payment \(record.key) (Visma \(number)) changed since it was booked: amount \(FixedPoint.money(ore: heldAmount).text) → \(FixedPoint.money(ore: amount).text)"
            + (type != heldType ? ", type \(heldType ?? "?") → \(type ?? "?")" : "")
            + "; a repost does not change a booked customer payment: void it in Visma (AR302000) and run `flexyvisma retry`"
    }
}

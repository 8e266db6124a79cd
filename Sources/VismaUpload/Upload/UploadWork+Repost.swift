import FlexyVismaCore
import Foundation
import StateStore
import VismaAPI
import VismaPayloads

/// A repost batch (`flexyvisma repost`, `RepostRequest` in its export manifest): its day journals book the difference
/// to what Visma holds (`JournalRepost`); its payments and purchase orders Visma already holds are not sent again.
extension UploadWork {
    /// The rule id of a day journal the repost could not book.
    static let repostRefusedRule = UploadRule.repostRefused.id

    /// Books each day journal not done yet; the first refusal stops it (a halt with Visma's or our words).
    ///
    /// A day's voucher goes on the journal that now holds it (`sendVouchers`, after this). A day Visma already holds
    /// as it is now gets no new voucher: its rows are settled with the journal's, in one transaction — unless an
    /// earlier run of this batch was cut off while booking it, when this batch may be what changed it.
    func repostJournals(
        _ journals: [PayloadRecord], vouchers: [VoucherAttachment], batch: BatchID, wire: Wire,
        reference: ReferenceSnapshot?, details: inout UploadDetails, sent: inout Sent
    ) async throws {
        let entries = try ledger.entries(batch: batch)
        let repost = JournalRepost(
            sender: wire.senders[0], reference: reference, releaseDocuments: configuration.pipeline.releaseDocuments)
        var reposted = details.reposted ?? []
        defer { details.reposted = reposted }
        for record in journals {
            guard let entry = entries[record.sequence] else { continue }
            if entry.state == .done {
                reposted.append(
                    RepostedJournal(
                        key: record.key, outcome: "unchanged",
                        sentence:
                            "\(record.key): booked by an earlier run of this batch (journal \(entry.vismaId ?? "?"))",
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
            var rows: [UploadLedger.Outcome] = [
                (record.sequence, .done, outcome.number, outcome.sentence)
            ]
            if outcome.kind == .unchanged, entry.state == .pending || outcome.number == nil {
                rows += vouchers.filter { $0.journalKey == record.key && $0.shared != true }.map {
                    ($0.sequence, .done, nil, "day unchanged in Visma: nothing booked, so nothing attached")
                }
            }
            try ledger.record(batch: batch, rows)
            reposted.append(
                RepostedJournal(
                    key: record.key, outcome: outcome.kind.rawValue, sentence: outcome.sentence,
                    journal: outcome.number, reversal: outcome.reversal))
            if outcome.kind != .unchanged { details.kinds[record.kind, default: .init()].updated += 1 }
            details.vismaIds[record.kind, default: [:]][record.key] = outcome.number ?? record.key
        }
    }

    /// Payments and purchase orders of a reposted day that Visma holds already are not created again: a purchase
    /// order is left as it is, a customer payment booked as it is now (`PaymentRepost`); what Visma does not hold is
    /// left pending for the create path.
    func settleRepostedDocuments(
        _ records: [PayloadRecord], batch: BatchID, sender: RecordSender, reference: ReferenceSnapshot?,
        details: inout UploadDetails, sent: inout Sent
    ) async throws {
        let entries = try ledger.entries(batch: batch)
        let documents = records.filter {
            [.customerPayments, .purchaseOrders].contains($0.group) && entries[$0.sequence]?.state == .pending
        }
        guard !documents.isEmpty else { return }
        let book = try NumberBook(ledger: ledger, records: documents, reference: reference)
        let payments = PaymentRepost(sender: sender, releaseDocuments: configuration.pipeline.releaseDocuments)
        for record in documents {
            guard let addressed = try? book.address(record) else { continue }  // its customer is new: the create path sends it
            if record.group == .purchaseOrders {
                switch await sender.locate(addressed) {
                case .absent: continue
                case .found(let number):
                    try ledger.record(
                        batch: batch, [(record.sequence, .done, number, "held by Visma before this repost")])
                case .unknown(let reason):
                    throw OperatorMessage(
                        .temporaryFailure,
                        "cannot tell whether Visma holds \(record.kind) \(record.key) already (\(reason)); nothing was sent; try again later"
                    )
                }
                continue
            }
            let result: PaymentRepost.Result
            do {
                result = try await payments.repost(addressed)
            } catch let refusal {
                if refusal.unresolved {
                    throw OperatorMessage(
                        .temporaryFailure, "\(refusal.message); nothing more was sent; try again later")
                }
                try ledger.record(batch: batch, [(record.sequence, .rejected, nil, refusal.message)])
                details.kinds[record.kind, default: .init()].rejected += 1
                sent.rejection = (record, refusal.message, Self.repostRefusedRule)
                return
            }
            guard case .done(let number, let sentence, let outcome) = result else { continue }
            try ledger.record(
                batch: batch,
                [(record.sequence, .done, number, sentence ?? "held by Visma before this repost, unchanged")])
            if let sentence, let outcome {
                details.reposted =
                    (details.reposted ?? []) + [
                        RepostedJournal(
                            key: record.key, outcome: outcome, sentence: sentence, journal: number, reversal: nil)
                    ]
                details.kinds[record.kind, default: .init()].updated += 1
                details.vismaIds[record.kind, default: [:]][record.key] = number
            }
        }
    }
}

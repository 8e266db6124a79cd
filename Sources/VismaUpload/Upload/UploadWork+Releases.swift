import FlexyVismaCore
import Foundation
import Logging
import StateStore
import VismaAPI
import VismaPayloads

/// Releasing created documents, and sending withdrawals applied to the deposits Visma holds.
///
/// The ledger keeps each release's own state (`UploadLedger.ReleaseState`) beside the record's: a release a
/// crash interrupted, that failed and was retried, or that Visma queued is finished by a later run, which looks
/// at the document first so it never asks twice for a release that happened.
extension UploadWork {
    static func isRefund(_ record: PayloadRecord) -> Bool {
        record.group == .customerPayments && record.body["type"]?["value"]?.stringValue == PaymentKind.withdrawal
    }

    /// Releases the documents a window created, when configured to.
    func release(
        _ outcomes: [(PayloadRecord, SendOutcome)], batch: BatchID, sender: RecordSender, sent: inout Sent
    ) async throws {
        for case (let record, .done(let vismaId, _)) in outcomes where record.release != nil {
            try await releaseOne(record, vismaId: vismaId, batch: batch, sender: sender, sent: &sent)
            if sent.mustStop { return }
        }
    }

    func releaseOne(
        _ record: PayloadRecord, vismaId: String, batch: BatchID, sender: RecordSender, sent: inout Sent
    ) async throws {
        switch await sender.release(record, vismaId: vismaId) {
        case .done:
            try ledger.recordRelease(batch: batch, sequence: record.sequence, .done)
        case .queued:
            try ledger.recordRelease(batch: batch, sequence: record.sequence, .queued)
            sent.queued += 1
        case .failed(let message):
            try ledger.recordRelease(batch: batch, sequence: record.sequence, .failed, message: message)
            if sent.rejection == nil {
                sent.rejection = (record, "release refused: \(message)", UploadRule.rejected.id)
            }
        case .unresolved:
            try ledger.recordRelease(batch: batch, sequence: record.sequence, .pending)
            sent.unresolved += 1
        }
    }

    /// At the start of a run: releases earlier runs left unconfirmed (crash, no answer, queued, or reset by a retry)
    /// are looked at; one not released yet is asked for again, unless Visma queued it.
    func settleReleases(_ records: [PayloadRecord], batch: BatchID, sender: RecordSender, sent: inout Sent) async throws
    {
        let entries = try ledger.entries(batch: batch)
        for record in records where record.release != nil {
            guard let entry = entries[record.sequence], entry.state == .done, entry.release != .done,
                let vismaId = entry.vismaId
            else { continue }
            switch await sender.isReleased(record, vismaId: vismaId) {
            case true?:
                try ledger.recordRelease(batch: batch, sequence: record.sequence, .done)
            case false? where entry.release == .queued:
                sent.queued += 1
            case false?:
                try await releaseOne(record, vismaId: vismaId, batch: batch, sender: sender, sent: &sent)
            case nil:
                sent.unresolved += 1
            }
            if sent.mustStop { return }
        }
    }

    /// Looks again, after growing pauses, at documents whose release Visma queued (bounded by `releaseLooks`).
    func settleQueued(_ records: [PayloadRecord], batch: BatchID, sender: RecordSender, sent: inout Sent) async throws {
        for look in 0..<upload.releaseLooks {
            let entries = try ledger.entries(batch: batch)
            let queued = records.filter { entries[$0.sequence]?.release == .queued }
            guard !queued.isEmpty else { return }
            try? await Task.sleep(for: .milliseconds(250 << look))
            for record in queued {
                guard let vismaId = entries[record.sequence]?.vismaId,
                    await sender.isReleased(record, vismaId: vismaId) == true
                else { continue }
                try ledger.recordRelease(batch: batch, sequence: record.sequence, .done)
                sent.queued = max(0, sent.queued - 1)
            }
        }
    }

    /// One withdrawal: applied to the customer's open deposits as Visma holds them now (recorded in the ledger's
    /// `applied` before it leaves), created, and released when configured; or left waiting, or halted with the fix.
    func sendRefund(
        _ record: PayloadRecord, book: NumberBook, batch: BatchID, sender: RecordSender, details: inout UploadDetails,
        sent: inout Sent
    ) async throws {
        let addressed: AddressedRecord
        do {
            addressed = try book.address(record)
        } catch {
            try self.record(
                [(record, .rejected(message: "\(error)", status: 0))], batch: batch, details: &details, sent: &sent)
            return
        }
        switch await sender.decideRefund(addressed, reserved: sent.reserved) {
        case .unresolved:
            sent.unresolved += 1
        case .wait(let why):
            try ledger.record(batch: batch, [(record.sequence, .waiting, nil, why)])
            sent.waiting.append((record, why))
        case .halt(let message):
            try ledger.record(batch: batch, [(record.sequence, .rejected, nil, message)])
            details.kinds[record.kind, default: .init()].rejected += 1
            if sent.rejection == nil { sent.rejection = (record, message, UploadRule.noOpenDeposit.id) }
        case .apply(let lines):
            let applied = addressed.with(body: try RecordSender.refundBody(addressed, lines: lines))
            let text = String(decoding: try JSONEncoder().encode(lines), as: UTF8.self)
            try ledger.recordApplication(batch: batch, sequence: record.sequence, applied: text)
            Logger(label: "flexyvisma-upload").notice("withdrawal \(record.key) applied to \(text)")
            try ledger.markSending(batch: batch, sequences: [record.sequence])
            let outcome = await sender.send(applied)
            try self.record([(record, outcome)], batch: batch, details: &details, sent: &sent)
            guard case .done(let vismaId, _) = outcome else { return }
            if record.release != nil {
                try await releaseOne(record, vismaId: vismaId, batch: batch, sender: sender, sent: &sent)
            }
            if try ledger.entries(batch: batch)[record.sequence]?.release != .done {
                for line in lines {
                    sent.reserved[line.refNbr?.value ?? "", default: 0] += Int64(
                        ((line.amountPaid?.value ?? 0) * 100).rounded())
                }
            }
        }
    }

    /// The operator's sentence when the batch waits for Visma (queued releases, withdrawals waiting for deposits).
    static func waitingSummary(_ sent: Sent, batch: BatchID) -> String {
        var parts: [String] = []
        if sent.queued > 0 {
            parts.append(
                "Visma has not finished releasing \(sent.queued) document(s) it queued; the next run looks again")
        }
        for (record, why) in sent.waiting { parts.append("\(record.kind) \(record.key): \(why)") }
        return "batch \(batch) waits: " + parts.joined(separator: "; ")
    }
}

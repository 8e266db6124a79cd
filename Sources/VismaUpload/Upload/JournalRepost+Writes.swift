import FlexyVismaCore
import Foundation
import VismaAPI
import VismaPayloads

/// The two writes of a repost: a new journal (reversal or correction), and an unreleased journal's lines replaced.
extension JournalRepost {
    /// Creates a journal Visma numbers, released when the configuration releases documents; its number.
    func create(
        _ lines: [LedgerLine], key: String, day: String, in target: BookingPeriod, branch: String?, description: String
    ) async throws(Refusal) -> String {
        let vatTransactions = lines.contains { $0.vatId != nil || $0.vatCategory != nil }
        let body = JournalTransactionUpdateDto(
            transactionDate: .init("\(target.date)T00:00:00"), financialPeriod: .init(target.period),
            description: .init(String(description.prefix(60))), hold: .init(false), branch: branch.map(DtoValue.init),
            createVatTransaction: vatTransactions ? .init(true) : nil,
            journalTransactionLines: lines.enumerated().map {
                $0.element.dto(operation: .insert, lineNumber: $0.offset + 1, reference: key)
            })
        let data: Data
        do {
            data = try body.encodedBody()
        } catch {
            throw Refusal(message: "journal for \(key) cannot be written: \(error)")
        }
        guard let response = await sender.exchange("POST", "/v2/journaltransaction", body: data) else {
            throw Refusal(
                message:
                    "POST /v2/journaltransaction for \(key) (\(description)): no answer; run repost again — it looks first",
                unresolved: true)
        }
        guard (200..<300).contains(response.status),
            let number = response[header: "Location"].flatMap({
                $0.split(separator: "/").last.map { String($0).percentDecoded }
            })
        else {
            throw Refusal(
                message:
                    "Visma refused \(description) (day \(day)): \(response.vismaMessage ?? "HTTP \(response.status)")")
        }
        if releaseDocuments { try await release(number, description: description) }
        return number
    }

    /// Releases a journal the repost created; a refusal halts with Visma's words, a queued release is left to Visma.
    func release(_ number: String, description: String) async throws(Refusal) {
        let record: PayloadRecord
        do {
            record = try PayloadRecord(
                sequence: 0, group: .journalTransactions, key: number, method: "POST", path: "/v2/journaltransaction",
                lookup: "/v2/journaltransaction/\(PercentEncoding.encode(number))", body: JournalTransactionUpdateDto(),
                release: nil, origin: nil)
        } catch {
            throw Refusal(message: "journal \(number) cannot be released: \(error)")
        }
        switch await sender.release(record, vismaId: number) {
        case .done, .queued: return
        case .failed(let message):
            throw Refusal(message: "Visma refused to release journal \(number) (\(description)): \(message)")
        case .unresolved(let why):
            throw Refusal(message: "release of journal \(number) unconfirmed: \(why)", unresolved: true)
        }
    }

    /// Replaces an unreleased journal's lines with the new day's: every held line deleted, every new one inserted
    /// (an `Update` would keep a field the new line leaves out, such as a VAT category).
    func update(_ journal: HeldJournal, to lines: [LedgerLine], key: String) async throws(Refusal) {
        let heldNumbers = journal.lines.enumerated().map { $0.element.lineNumber ?? $0.offset + 1 }
        let first = (heldNumbers.max() ?? 0) + 1
        var operations = heldNumbers.map { JournalTransactionLineUpdateDto(operation: .delete, lineNumber: .init($0)) }
        operations += lines.enumerated().map {
            $0.element.dto(operation: .insert, lineNumber: first + $0.offset, reference: key)
        }
        let body = JournalTransactionUpdateDto(journalTransactionLines: operations)
        let path = "/v2/journaltransaction/\(PercentEncoding.encode(journal.number))"
        let data: Data
        do {
            data = try body.encodedBody()
        } catch {
            throw Refusal(message: "the update of journal \(journal.number) cannot be written: \(error)")
        }
        guard let response = await sender.exchange("PUT", path, body: data) else {
            throw Refusal(message: "PUT \(path): no answer; run repost again — it looks first", unresolved: true)
        }
        guard (200..<300).contains(response.status) else {
            throw Refusal(
                message:
                    "Visma refused to update journal \(journal.number): \(response.vismaMessage ?? "HTTP \(response.status)")"
            )
        }
    }
}

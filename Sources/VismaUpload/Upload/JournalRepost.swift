import FlexyVismaCore
import Foundation
import VismaAPI
import VismaPayloads

/// Books the difference between a reposted day journal and what Visma holds for it (`flexyvisma repost`).
///
/// Visma's journals for the day are found by our key in their lines' Ref. no. — the original, and the reversals
/// and corrections of earlier reposts — and added up per account, branch and VAT. Equal to the new day: nothing is
/// booked. Else the one journal not reversed yet is updated in place while unreleased (PUT with line operations),
/// or, released, reversed (every line on the other side, VAT lines included) and followed by a correction; both are
/// dated in the original's period, or in the first period open in the general ledger after it when that one is
/// closed. Run again after a crash, it finds what the earlier run left and books only what is still missing.
struct JournalRepost: Sendable {
    let sender: RecordSender
    let reference: ReferenceSnapshot?
    let releaseDocuments: Bool

    static let reversalPrefix = "Tilbageførsel af "
    static let correctionPrefix = "Rettelse af "

    /// What became of one day journal, in a sentence for the bookkeeper and the manifest.
    struct Outcome: Sendable {
        enum Kind: String, Sendable { case unchanged, updatedInPlace, reversedAndCorrected, corrected }
        var kind: Kind
        var sentence: String
        /// The journal that now holds the day (updated, or the correction); when unchanged, the one not reversed.
        var number: String?
        var reversal: String?
    }

    /// A refusal to book, with Visma's words where it was Visma's.
    struct Refusal: Error, Sendable {
        var message: String
        var unresolved: Bool = false
    }

    func repost(_ record: PayloadRecord) async throws(Refusal) -> Outcome {
        let body = record.body
        let day = String((body["transactionDate"]?["value"]?.stringValue ?? "").prefix(10))
        let period = body["financialPeriod"]?["value"]?.stringValue ?? ""
        let branch = body["branch"]?["value"]?.stringValue
        let description = body["description"]?["value"]?.stringValue ?? record.key
        let wanted = (body["journalTransactionLines"]?.arrayValue ?? []).compactMap {
            LedgerLine(written: $0, journalBranch: branch)
        }
        guard wanted.count >= 2, !day.isEmpty else {
            throw Refusal(message: "journal \(record.key): the payload holds no lines to book")
        }

        let held = try await journals(key: record.key, from: period)
        let reversed = Set(held.compactMap(\.reverses))
        let live = held.filter { $0.reverses == nil && !reversed.contains($0.number) }
        if LedgerLine.net(held.flatMap(\.lines)) == LedgerLine.net(wanted) {
            return Outcome(
                kind: .unchanged, sentence: "day \(day) (\(record.key)): unchanged in Visma, nothing booked",
                number: live.count == 1 ? live.first?.number : held.first?.number)
        }
        guard live.count <= 1 else {
            throw Refusal(
                message:
                    "day \(day): Visma holds \(live.count) journals with Ref. no. \(record.key) that are not reversed (\(live.map(\.number).joined(separator: ", "))); reverse all but one in Visma (GL301000), then repost"
            )
        }
        let target = try bookingPeriod(for: day, original: period)
        guard let current = live.first else {
            // Nothing left standing for the key: everything reversed, or (a department's first sales that day, a new
            // receipt) never booked.
            let text = held.isEmpty ? description : Self.correctionPrefix + "\(record.key): \(description)"
            let correction = try await create(
                wanted, key: record.key, day: day, in: target, branch: branch, description: text)
            let what =
                held.isEmpty
                ? "not in Visma before; booked as journal \(correction)" : "correction \(correction) booked"
            return Outcome(
                kind: .corrected, sentence: "day \(day) (\(record.key)): \(what)\(target.note)", number: correction)
        }
        if !current.isReleased {
            try await update(current, to: wanted, key: record.key)
            return Outcome(
                kind: .updatedInPlace,
                sentence: "day \(day) (\(record.key)): journal \(current.number) was not released; updated in place",
                number: current.number)
        }
        let reversal = try await create(
            current.lines.map(\.reversed), key: record.key, day: day, in: target, branch: current.branch ?? branch,
            description: Self.reversalPrefix + "\(current.number): \(current.description)")
        let correction = try await create(
            wanted, key: record.key, day: day, in: target, branch: branch,
            description: Self.correctionPrefix + "\(current.number): \(description)")
        return Outcome(
            kind: .reversedAndCorrected,
            sentence:
                "day \(day) (\(record.key)): journal \(current.number) was released; reversed by \(reversal), corrected by \(correction)\(target.note)",
            number: correction, reversal: reversal)
    }

    /// Where a reversal and correction are dated: the original's period while it is open, else the first open one after it.
    struct BookingPeriod: Sendable {
        var period: String
        var date: String
        var note: String
    }

    func bookingPeriod(for day: String, original: String) throws(Refusal) -> BookingPeriod {
        let periods = (reference?.financialPeriods ?? []).sorted { $0.startDate < $1.startDate }
        guard let own = periods.first(where: { $0.period == original }) ?? reference?.financialPeriod(containing: day)
        else {
            return BookingPeriod(period: original, date: day, note: "")
        }
        if own.active, !own.isClosed(in: .generalLedger) {
            return BookingPeriod(period: own.period, date: day, note: "")
        }
        guard
            let open = periods.first(where: {
                $0.startDate > own.startDate && $0.active && !$0.isClosed(in: .generalLedger)
            })
        else {
            throw Refusal(
                message:
                    "day \(day): its period \(own.displayId) is closed in the general ledger and no later period is open; open one in Visma (GL201000), then repost"
            )
        }
        return BookingPeriod(
            period: open.period, date: open.startDate,
            note:
                " — period \(own.displayId) is closed, so dated \(open.startDate) in period \(open.displayId), referencing \(day)"
        )
    }

    /// Every journal whose lines carry `key` as Ref. no., in the original's period and every later one up to the first open one.
    func journals(key: String, from period: String) async throws(Refusal) -> [HeldJournal] {
        var found: [HeldJournal] = []
        for candidate in searchPeriods(from: period) {
            let list = "/v2/journaltransaction?periodId=\(PercentEncoding.encode(candidate))"
            let elements = try await sender.listAll(list)
            let ours = elements.filter {
                ($0["journalTransactionLines"]?.arrayValue ?? []).contains { $0["referenceNumber"]?.stringValue == key }
            }
            found += ours.compactMap(HeldJournal.init).filter { journal in
                !found.contains { $0.number == journal.number }
            }
        }
        return found
    }

    /// The original's period and the later ones through the first open in the general ledger (at most 24).
    func searchPeriods(from period: String) -> [String] {
        let later = (reference?.financialPeriods ?? []).filter { $0.period >= period }.sorted { $0.period < $1.period }
        var periods = [period]
        for candidate in later.prefix(24) where candidate.period != period {
            periods.append(candidate.period)
            if candidate.active, !candidate.isClosed(in: .generalLedger) { break }
        }
        if let first = later.first, first.period == period, first.active, !first.isClosed(in: .generalLedger) {
            return [period]
        }
        return periods
    }
}

extension RecordSender {
    /// Every element of a list, page by page (Visma's page cap respected); a failure says why Visma could not be asked.
    func listAll(_ list: String) async throws(JournalRepost.Refusal) -> [JSONValue] {
        do {
            return try await VismaReader.collectPages(pageSize: 1000) { page, size in
                let path = VismaReader.path(list, page: page, pageSize: size)
                guard let response = await exchange("GET", path) else {
                    throw JournalRepost.Refusal(message: "GET \(path): no answer", unresolved: true)
                }
                guard response.status == 200, let answer = try? JSONValue.parse(response.body) else {
                    throw JournalRepost.Refusal(
                        message: "GET \(path) answered HTTP \(response.status): \(response.vismaMessage ?? "")",
                        unresolved: true)
                }
                let elements = answer.arrayValue ?? answer["records"]?.arrayValue ?? []
                let metadata = elements.first?["metadata"]
                return VismaReader.Page(
                    elements: elements,
                    totalCount: AnswerNumbers.count((metadata?["totalCount"] ?? answer["totalCount"])?.numberValue),
                    maxPageSize: AnswerNumbers.count((metadata?["maxPageSize"] ?? answer["pageSize"])?.numberValue))
            }
        } catch let refusal as JournalRepost.Refusal {
            throw refusal
        } catch {
            throw JournalRepost.Refusal(message: "GET \(list) could not be read: \(error)", unresolved: true)
        }
    }
}

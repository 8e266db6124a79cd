import FlexyVismaCore
import Foundation
import VismaAPI
import VismaPayloads

/// A customer payment of a reposted day against what Visma holds for it (found by our id in `paymentRef`, voided
/// documents left out): the same → done; changed and not released → updated (PUT); changed and released → voided and
/// entered again. Visma's refusal (a refund applied to the deposit) stops the repost with its words; a changed
/// withdrawal is left to the bookkeeper.
struct PaymentRepost: Sendable {
    let sender: RecordSender
    let releaseDocuments: Bool

    enum Result: Sendable {
        /// Visma holds no payment of ours with this id: the create path sends it.
        case absent
        case done(number: String, sentence: String?, outcome: String?)
    }

    func repost(_ addressed: AddressedRecord) async throws(JournalRepost.Refusal) -> Result {
        let record = addressed.record
        guard let list = addressed.searchList else { return .absent }
        let ours = (try? JSONValue.parse(addressed.body)) ?? .null
        let mine = try await sender.listAll(list).filter { $0["paymentRef"]?.stringValue == record.key }
        let live = mine.filter {
            $0["status"]?.stringValue != "Voided"
                && !["VoidPayment", "VoidRefund"].contains($0["type"]?.stringValue ?? "")
        }
        guard live.count <= 1 else {
            throw JournalRepost.Refusal(
                message:
                    "Visma holds \(live.count) payments with Payment Ref. \(record.key) (\(live.compactMap { $0["refNbr"]?.stringValue }.joined(separator: ", "))): void all but one in Visma (AR302000), then `flexyvisma retry`"
            )
        }
        guard let held = live.first, let number = held["refNbr"]?.stringValue else {
            // Only voided ones: an earlier run voided it and stopped before entering it again.
            guard !mine.isEmpty else { return .absent }
            let again = try await enterAgain(addressed)
            return .done(
                number: again, sentence: "payment \(record.key): entered again as \(again)",
                outcome: "voidedAndEnteredAgain")
        }
        guard let change = Self.change(ours: ours, held: held) else {
            return .done(number: number, sentence: nil, outcome: nil)
        }
        guard ours["type"]?["value"]?.stringValue != PaymentKind.withdrawal else {
            throw JournalRepost.Refusal(
                message:
                    "withdrawal \(record.key) (Visma \(number)) changed since it was booked (\(change)); a repost does not change a refund: correct it in Visma (AR302000), then `flexyvisma retry`"
            )
        }
        if ["Hold", "Balanced"].contains(held["status"]?.stringValue ?? "") {
            try await update(addressed, number: number)
            return .done(
                number: number, sentence: "payment \(record.key): \(number) was not released; updated (\(change))",
                outcome: "updatedInPlace")
        }
        try await void(number, type: held["type"]?.stringValue ?? "", key: record.key)
        let again = try await enterAgain(addressed)
        return .done(
            number: again,
            sentence: "payment \(record.key): \(number) was released; voided and entered again as \(again) (\(change))",
            outcome: "voidedAndEnteredAgain")
    }

    /// What differs between our payment and Visma's: amount, date or method; nil when nothing does.
    static func change(ours: JSONValue, held: JSONValue) -> String? {
        var changes: [String] = []
        let amount = LedgerLine.ore(ours["paymentAmount"]?["value"])
        let heldAmount = LedgerLine.ore(held["paymentAmount"])
        if amount != heldAmount {
            changes.append("amount \(FixedPoint.money(ore: heldAmount).text) → \(FixedPoint.money(ore: amount).text)")
        }
        let date = String((ours["applicationDate"]?["value"]?.stringValue ?? "").prefix(10))
        let heldDate = String((held["applicationDate"]?.stringValue ?? "").prefix(10))
        if date != heldDate { changes.append("date \(heldDate) → \(date)") }
        let method = ours["paymentMethod"]?["value"]?.stringValue
        let heldMethod = held["paymentMethod"]?["id"]?.stringValue ?? held["paymentMethod"]?.stringValue
        if let method, let heldMethod, method != heldMethod { changes.append("method \(heldMethod) → \(method)") }
        return changes.isEmpty ? nil : changes.joined(separator: ", ")
    }

    /// The body without the number we chose: Visma numbers the new document (ours belongs to the voided one).
    static func bodyWithoutNumber(_ body: Data) -> Data {
        guard var members = (try? JSONValue.parse(body))?.objectValue else { return body }
        members["referenceNumber"] = nil
        members["overrideNumberSeries"] = nil
        return JSONValue.object(members).encoded()
    }

    private func update(_ addressed: AddressedRecord, number: String) async throws(JournalRepost.Refusal) {
        let path = "/v1/customerPayment/\(PercentEncoding.encode(number))"
        guard let response = await sender.exchange("PUT", path, body: Self.bodyWithoutNumber(addressed.body)) else {
            throw JournalRepost.Refusal(message: "PUT \(path): no answer; run again — it looks first", unresolved: true)
        }
        guard (200..<300).contains(response.status) else {
            throw JournalRepost.Refusal(
                message:
                    "Visma refused to update payment \(number): \(response.vismaMessage ?? "HTTP \(response.status)")")
        }
    }

    private func void(_ number: String, type: String, key: String) async throws(JournalRepost.Refusal) {
        let path = "/v1/customerPayment/\(PercentEncoding.encode(number))/action/void"
        let body = JSONValue.object(["type": .string(type)]).encoded()
        guard let response = await sender.exchange("POST", path, body: body) else {
            throw JournalRepost.Refusal(
                message: "POST \(path): no answer; run again — it looks first", unresolved: true)
        }
        let answer = try? JSONValue.parse(response.body)
        guard (200..<300).contains(response.status), answer?["actionResult"]?.stringValue != "Failed" else {
            let why = answer?["errorInfo"]?.stringValue ?? response.vismaMessage ?? "HTTP \(response.status)"
            throw JournalRepost.Refusal(message: "Visma refused to void payment \(number) (\(key)): \(why)")
        }
    }

    private func enterAgain(_ addressed: AddressedRecord) async throws(JournalRepost.Refusal) -> String {
        let key = addressed.record.key
        guard
            let response = await sender.exchange(
                "POST", "/v1/customerPayment", body: Self.bodyWithoutNumber(addressed.body))
        else {
            throw JournalRepost.Refusal(
                message: "POST /v1/customerPayment for \(key): no answer; run again — it looks first", unresolved: true)
        }
        guard (200..<300).contains(response.status),
            let number = response[header: "Location"].flatMap({
                $0.split(separator: "/").last.map { String($0).percentDecoded }
            })
        else {
            throw JournalRepost.Refusal(
                message:
                    "Visma refused payment \(key) entered again: \(response.vismaMessage ?? "HTTP \(response.status)")")
        }
        guard releaseDocuments else { return number }
        switch await sender.release(addressed.record, vismaId: number) {
        case .done, .queued: return number
        case .failed(let message):
            throw JournalRepost.Refusal(message: "Visma refused to release payment \(number) (\(key)): \(message)")
        case .unresolved(let why):
            throw JournalRepost.Refusal(message: "release of payment \(number) unconfirmed: \(why)", unresolved: true)
        }
    }
}

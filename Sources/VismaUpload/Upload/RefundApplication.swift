import FlexyVismaCore
import Foundation
import VismaAPI
import VismaPayloads

/// What a withdrawal can be applied to right now.
enum RefundDecision: Sendable {
    /// The lines to send: the customer's open deposits, oldest first, together the whole amount.
    case apply([PaymentLinesUpdateDto])
    /// The deposits that would cover it exist but are not released yet.
    case wait(String)
    /// Visma holds no deposits that could cover it: the bookkeeper must record one.
    case halt(String)
    /// Visma could not be asked.
    case unresolved(String)
}

/// Applies a withdrawal (a customer refund) to the customer's open deposits at send time: Visma releases a refund
/// only when its whole amount is applied to open payments, prepayments or credit notes ("About refund processing").
extension RecordSender {
    static let depositTypes: Set<String> = ["Prepayment", "Payment", "CreditNote"]

    /// `reserved`: amounts this run's unreleased refunds already took from a deposit, by its number.
    func decideRefund(_ record: AddressedRecord, reserved: [String: Int64]) async -> RefundDecision {
        let body = (try? JSONValue.parse(record.body)) ?? .null
        let customer = body["customer"]?["value"]?.stringValue ?? ""
        guard let amount = FixedPoint.units(of: body["paymentAmount"]?["value"]?.numberValue ?? 0, scale: 2) else {
            return .halt("the withdrawal's amount cannot be held exactly in øre")
        }
        let day = String((body["applicationDate"]?["value"]?.stringValue ?? "").prefix(10))
        guard let open = await customerDocuments(customer, status: "Open") else {
            return .unresolved("the customer's open deposits could not be read")
        }
        let deposits = open.filter {
            Self.depositTypes.contains($0.type ?? "") && String(($0.applicationDate ?? "").prefix(10)) <= day
        }
        .sorted { ($0.applicationDate ?? "", $0.refNbr ?? "") < ($1.applicationDate ?? "", $1.refNbr ?? "") }
        var lines: [PaymentLinesUpdateDto] = []
        var left = amount
        for deposit in deposits where left > 0 {
            let refNbr = deposit.refNbr ?? ""
            // A balance Visma states as no exact amount (beyond range) is not used.
            guard let available = FixedPoint.units(of: deposit.availableBalance ?? 0, scale: 2),
                let balance = FixedPoint.checkedSum(available, -reserved[refNbr, default: 0]), balance > 0
            else { continue }
            let taken = min(balance, left)
            left -= taken
            lines.append(
                PaymentLinesUpdateDto(
                    operation: .insert, documentType: deposit.type.map(DtoValue.init), refNbr: .init(refNbr),
                    amountPaid: .init(Double(taken) / 100)))
        }
        if left == 0 { return .apply(lines) }
        return await shortfall(record, customer: customer, amount: amount, missing: left, day: day)
    }

    /// Wait when unreleased deposits would cover what is missing, else halt with the bookkeeper's fix.
    private func shortfall(
        _ record: AddressedRecord, customer: String, amount: Int64, missing: Int64, day: String
    ) async -> RefundDecision {
        var unreleased: [PaymentDto] = []
        for status in ["Balanced", "Hold"] {
            guard let documents = await customerDocuments(customer, status: status) else {
                return .unresolved("the customer's deposits could not be read")
            }
            unreleased += documents.filter {
                Self.depositTypes.contains($0.type ?? "") && String(($0.applicationDate ?? "").prefix(10)) <= day
            }
        }
        let pending = unreleased.reduce(Int64(0)) { sum, document in
            FixedPoint.units(of: document.paymentAmount ?? 0, scale: 2).flatMap { FixedPoint.checkedSum(sum, $0) }
                ?? sum
        }
        let money = { (ore: Int64) in FixedPoint.money(ore: ore).text }
        if pending >= missing {
            let numbers = unreleased.compactMap(\.refNbr).joined(separator: ", ")
            return .wait(
                "withdrawal of \(money(amount)) for customer \(customer) waits until Visma has released deposit(s) \(numbers): "
                    + "release them in Visma (or set pipeline.releaseDocuments to true); the next run applies and sends it"
            )
        }
        return .halt(
            "Visma holds no open deposit for customer \(customer) to pay this withdrawal of \(money(amount)) back from "
                + "(\(money(missing)) not covered) — e.g. a balance from before go-live. Fix: in Visma, record the customer's balance "
                + "as a Prepayment of at least \(money(missing)) dated \(day) or earlier and release it, then run `flexyvisma retry`"
        )
    }

    /// The customer's payments in one status, every page (as Visma's metadata pages them); nil when Visma could not be asked.
    private func customerDocuments(_ customer: String, status: String) async -> [PaymentDto]? {
        struct Unreadable: Error {}
        let list = "/v1/customerPayment?customer=\(PercentEncoding.encode(customer))&status=\(status)"
        let all = try? await VismaReader.collectPages(pageSize: 500) { page, size -> VismaReader.Page<PaymentDto> in
            guard let response = await exchange("GET", VismaReader.path(list, page: page, pageSize: size)),
                response.status == 200,
                let documents = try? BoundedJSONDecoder.decode([PaymentDto].self, from: response.body)
            else { throw Unreadable() }
            let metadata = documents.first?.metadata
            return VismaReader.Page(
                elements: documents, totalCount: metadata?.totalCount, maxPageSize: metadata?.maxPageSize)
        }
        return all?.filter { $0.customer?.number == nil || $0.customer?.number == customer }
    }

    /// The refund's body with its documents to apply.
    static func refundBody(_ record: AddressedRecord, lines: [PaymentLinesUpdateDto]) throws -> Data {
        let encodedLines = try JSONValue.parse(try JSONEncoder().encode(lines))
        guard case .object(var body) = try JSONValue.parse(record.body) else { return record.body }
        body["paymentLines"] = encodedLines
        return JSONValue.object(body).encoded()
    }
}

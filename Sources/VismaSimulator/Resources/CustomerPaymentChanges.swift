import FlexyVismaCore
import Foundation

/// A booked customer payment changed: `PUT /v1/customerPayment/{n}` while it is not released, `action/void` once it
/// is (refused while a refund is applied to it). Sourced in `docs/VISMA.md` ("Correcting a booked day").
extension CompanyState {
    /// Amount, date, method, texts and hold of an unreleased deposit; its type, customer and number stay.
    mutating func updateCustomerPayment(_ number: String, _ body: JSONValue) throws -> Outcome {
        guard var payment = entity(.customerPayment, number)?.objectValue else {
            throw VismaError.notFound("Payment with paymentNumber = \(number) not found.")
        }
        let status = payment["status"]?.stringValue ?? "?"
        guard ["Hold", "Balanced"].contains(status) else {
            throw VismaError.badRequest(
                "Error: Payment \(number) has status \(status) and cannot be changed. A released payment is voided and entered again."
            )
        }
        let dto = try WriteDTO(
            body, dto: "PaymentUpdateDto", wrapped: Self.paymentWrapped, lines: ["ordersToApply", "paymentLines"])
        if let type = try dto.string("type"), type != payment["type"]?.stringValue {
            throw VismaError.badRequest("Error: The type of payment \(number) cannot be changed.")
        }
        if let customer = try dto.string("customer"), customer != payment["customer"]?["number"]?.stringValue {
            throw VismaError.badRequest("Error: The customer of payment \(number) cannot be changed.")
        }
        guard payment["type"]?.stringValue != "Refund", dto.members["paymentLines"] == nil else {
            throw VismaError.badRequest("Error: The documents a refund is applied to are not changed here.")
        }
        if let amount = try dto.number("paymentAmount") {
            guard amount > 0 else { throw VismaError.badRequest("Error: 'Payment Amount' must be greater than 0.") }
            payment["paymentAmount"] = .number(amount)
            payment["availableBalance"] = .number(amount)
        }
        if let date = try dto.string("applicationDate") {
            guard Self.periodOf(date: date) != nil else {
                throw VismaError.notRecognized("PaymentUpdateDto", "'\(date)' is not a date.")
            }
            payment["applicationPeriod"] = .string(
                try requireOpenPeriod(containing: date, in: .customerLedger, for: "customer payment"))
            payment["applicationDate"] = .string(date)
        }
        if let methodId = try dto.string("paymentMethod") {
            guard let method = paymentMethod(methodId), method.active else {
                throw VismaError.badRequest("Error: Payment method '\(methodId)' does not exist or is inactive.")
            }
            payment["paymentMethod"] = ["id": .string(method.id), "description": .string(method.description)]
        }
        for key in ["paymentRef", "invoiceText", "branch", "currency"] {
            if let text = try dto.string(key) { payment[key] = .string(text) }
        }
        if let hold = try dto.bool("hold") {
            payment["hold"] = .bool(hold)
            payment["status"] = .string(hold ? "Hold" : "Balanced")
        }
        payment["lastModifiedDateTime"] = .string(Self.now())
        insert(.customerPayment, number, .object(payment))
        return .noContent
    }

    /// `VoidPaymentActionDto` names the payment's type; only a released payment no refund is applied to is voided.
    mutating func voidCustomerPayment(_ number: String, _ body: JSONValue) throws -> Outcome {
        let type = body["type"]?.stringValue ?? body["type"]?["value"]?.stringValue
        guard let type, Self.paymentTypes.contains(type) else {
            throw VismaError.notRecognized("VoidPaymentActionDto", "'type' must name the payment's type.")
        }
        guard var payment = entity(.customerPayment, number)?.objectValue, payment["type"]?.stringValue == type else {
            throw VismaError.notFound("Payment with paymentNumber = \(number) and type = \(type) not found.")
        }
        let status = payment["status"]?.stringValue ?? "?"
        guard ["Open", "Closed"].contains(status) else {
            throw VismaError.badRequest(
                "Error: Payment \(number) cannot be voided in status \(status); only a released payment is voided.")
        }
        let applied = all(.customerPayment).filter { other in
            other["status"]?.stringValue != "Voided"
                && (other["paymentLines"]?.arrayValue ?? []).contains { $0["refNbr"]?.stringValue == number }
        }
        if let refund = applied.first?["refNbr"]?.stringValue {
            throw VismaError.badRequest(
                "Error: Payment \(number) cannot be voided: refund \(refund) is applied to it. Reverse the application first."
            )
        }
        payment["status"] = "Voided"
        payment["availableBalance"] = .number(0)
        payment["lastModifiedDateTime"] = .string(Self.now())
        insert(.customerPayment, number, .object(payment))
        return .ok(
            JSONValue.object([
                "type": "VoidPayment", "refNbr": .string(number), "actionId": .string(UUID().uuidString.lowercased()),
                "actionResult": "Done",
            ]))
    }
}

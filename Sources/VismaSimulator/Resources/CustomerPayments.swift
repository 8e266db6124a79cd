import FlexyVismaCore
import Foundation

/// `/v1/customerPayment`: the customer and an active payment method must exist, the period must be open.
extension CompanyState {
    static let paymentWrapped: Set<String> = [
        "referenceNumber", "type", "hold", "applicationDate", "applicationPeriod", "paymentRef", "customer", "location",
        "paymentMethod", "cashAccount", "currency", "paymentAmount", "invoiceText", "branch", "overrideNumberSeries",
    ]
    static let paymentTypes = ["Payment", "CreditNote", "Prepayment", "Refund", "VoidPayment", "SmallBalanceWo", "VoidRefund"]

    func listCustomerPayments(_ query: [String: String]) throws -> Outcome {
        var payments = all(.customerPayment)
        if let number = query["paymentNbr"] { payments = payments.filter { $0["refNbr"]?.stringValue == number } }
        if let customer = query["customer"] { payments = payments.filter { $0["customer"]?["number"]?.stringValue == customer } }
        if let type = query["paymentType"] { payments = payments.filter { $0["type"]?.stringValue == type } }
        return .ok(try paging(query, "customerpayment").arrayResponse(payments))
    }

    func getCustomerPayment(_ number: String) throws -> Outcome {
        guard let payment = entity(.customerPayment, number) else {
            throw VismaError.notFound("Payment with paymentNumber = \(number) not found.")
        }
        return .ok(payment)
    }

    mutating func createCustomerPayment(_ body: JSONValue) throws -> Outcome {
        let dto = try WriteDTO(body, dto: "PaymentUpdateDto", wrapped: Self.paymentWrapped, lines: ["ordersToApply", "paymentLines"])
        let type = try dto.enumeration("type", Self.paymentTypes) ?? "Payment"
        let customerNumber = try dto.requiredString("customer", "Customer")
        guard let customer = entity(.customer, customerNumber) else {
            throw VismaError.badRequest("Error: Customer '\(customerNumber)' does not exist.")
        }
        let methodId = try dto.requiredString("paymentMethod", "Payment Method")
        guard let method = paymentMethod(methodId) else {
            throw VismaError.badRequest("Error: Payment method '\(methodId)' does not exist.")
        }
        guard method.active else {
            throw VismaError.badRequest("Error: Payment method '\(methodId)' is inactive.")
        }
        let date = try dto.requiredString("applicationDate", "Application Date")
        guard let period = Self.periodOf(date: date) else {
            throw VismaError.notRecognized("PaymentUpdateDto", "'\(date)' is not a date.")
        }
        try requireOpenPeriod(period, for: "customer payment")
        let paymentRef = try dto.requiredString("paymentRef", "Payment Ref.")
        guard let paymentAmount = try dto.number("paymentAmount"), paymentAmount > 0 else {
            throw VismaError.badRequest("Error: 'Payment Amount' must be greater than 0.")
        }
        let cashAccount = try dto.string("cashAccount") ?? method.cashAccount
        guard account(cashAccount) != nil else {
            throw VismaError.badRequest("Error: Cash account '\(cashAccount)' does not exist.")
        }
        if let branchNumber = try dto.string("branch") {
            guard let branch = branch(branchNumber), branch.active else {
                throw VismaError.badRequest("Error: Branch '\(branchNumber)' does not exist or is inactive.")
            }
        }
        let number = try documentNumber(dto, field: "referenceNumber", kind: .customerPayment, prefix: "")
        let hold = try dto.bool("hold") ?? false
        insert(.customerPayment, number, JSONValue.object([
            "type": .string(type), "refNbr": .string(number), "status": .string(hold ? "Hold" : "Balanced"),
            "hold": .bool(hold), "applicationDate": .string(date), "applicationPeriod": .string(period),
            "paymentRef": .string(paymentRef),
            "customer": ["number": .string(customerNumber), "name": customer["name"] ?? .null],
            "location": ["id": "MAIN", "name": "Primary Location"],
            "paymentMethod": ["id": .string(method.id), "description": .string(method.description)],
            "cashAccount": .string(cashAccount), "currency": .string(try dto.string("currency") ?? "DKK"),
            "paymentAmount": .number(paymentAmount), "invoiceText": .text(try dto.string("invoiceText")),
            "branch": .text(try dto.string("branch")), "paymentLines": [],
            "lastModifiedDateTime": .string(Self.now()),
        ]).compacted)
        return .created("/v1/customerPayment/\(Self.pathSegment(number))")
    }

    mutating func releaseCustomerPayment(_ number: String, _ body: JSONValue) throws -> Outcome {
        if body != .null {
            let dto = try WriteDTO(body, dto: "ReleasePaymentActionDto", wrapped: ["type"])
            _ = try dto.enumeration("type", Self.paymentTypes)
        }
        guard var payment = entity(.customerPayment, number)?.objectValue else {
            throw VismaError.notFound("Payment with paymentNumber = \(number) not found.")
        }
        guard payment["status"]?.stringValue == "Balanced" else {
            throw VismaError.badRequest("Error: Payment \(number) cannot be released in status \(payment["status"]?.stringValue ?? "?").")
        }
        payment["status"] = "Open"
        payment["lastModifiedDateTime"] = .string(Self.now())
        insert(.customerPayment, number, .object(payment))
        return .ok(["actionId": .string(UUID().uuidString.lowercased()), "actionResult": "Done"])
    }

    /// The document number as the company's series gives it (`behaviour.numbering`): ours with
    /// `overrideNumberSeries` on a series that allows manual numbers on import (refused when taken),
    /// else the next number of the series — a number we supplied is then replaced, not refused.
    mutating func documentNumber(_ dto: WriteDTO, field: String, kind: EntityKind, prefix: String) throws -> String {
        if numbering(kind) == .manualOnImport, try dto.bool("overrideNumberSeries") == true {
            let number = try dto.requiredString(field, field)
            guard entity(kind, number) == nil else {
                throw VismaError.badRequest("Error: Document number '\(number)' already exists. Another document has the same number.")
            }
            return number
        }
        _ = try dto.bool("overrideNumberSeries")
        return makeDocumentNumber(kind, prefix: prefix)
    }
}

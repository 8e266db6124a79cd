import FlexyVismaCore
import Foundation

/// `/v1/customerPayment`: the customer and an active payment method must exist, the period must be open;
/// a refund is fully applied to the customer's open deposits, and release moves the balances.
extension CompanyState {
    static let paymentWrapped: Set<String> = [
        "referenceNumber", "type", "hold", "applicationDate", "applicationPeriod", "paymentRef", "customer", "location",
        "paymentMethod", "cashAccount", "currency", "paymentAmount", "invoiceText", "branch", "overrideNumberSeries",
    ]
    static let paymentLineWrapped: Set<String> = [
        "documentType", "refNbr", "amountPaid", "cashDiscountTaken", "balanceWriteOff", "writeOffReasonCode",
        "crossRate",
    ]
    static let paymentTypes = [
        "Payment", "CreditNote", "Prepayment", "Refund", "VoidPayment", "SmallBalanceWo", "VoidRefund",
    ]
    /// The document types a refund may be applied to ("About refund processing").
    static let refundableTypes = ["Payment", "Prepayment", "CreditNote"]

    func listCustomerPayments(_ query: [String: String]) throws -> Outcome {
        var payments = all(.customerPayment)
        if let number = query["paymentNbr"] { payments = payments.filter { $0["refNbr"]?.stringValue == number } }
        if let customer = query["customer"] {
            payments = payments.filter { $0["customer"]?["number"]?.stringValue == customer }
        }
        if let type = query["paymentType"] { payments = payments.filter { $0["type"]?.stringValue == type } }
        if let status = query["status"] { payments = payments.filter { $0["status"]?.stringValue == status } }
        if let period = query["financialPeriod"] {
            payments = payments.filter { $0["applicationPeriod"]?.stringValue == period }
        }
        if let branch = query["branch"] { payments = payments.filter { $0["branch"]?.stringValue == branch } }
        return .ok(try paging(query, "customerpayment").arrayResponse(payments))
    }

    /// A queued release of the payment completes when it is looked at again.
    mutating func getCustomerPayment(_ number: String) throws -> Outcome {
        guard entity(.customerPayment, number) != nil else {
            throw VismaError.notFound("Payment with paymentNumber = \(number) not found.")
        }
        if takeQueuedRelease(.customerPayment, number) { _ = try? completePaymentRelease(number) }
        return .ok(entity(.customerPayment, number) ?? .null)
    }

    mutating func createCustomerPayment(_ body: JSONValue) throws -> Outcome {
        let dto = try WriteDTO(
            body, dto: "PaymentUpdateDto", wrapped: Self.paymentWrapped, lines: ["ordersToApply", "paymentLines"])
        let type = try dto.enumeration("type", Self.paymentTypes) ?? "Payment"
        let customerNumber = try dto.requiredString("customer", "Customer")
        guard let customer = entity(.customer, customerNumber) else {
            throw VismaError.badRequest("Error: Customer '\(customerNumber)' does not exist.")
        }
        let method = try activePaymentMethod(dto)
        let date = try dto.requiredString("applicationDate", "Application Date")
        guard Self.periodOf(date: date) != nil else {
            throw VismaError.notRecognized("PaymentUpdateDto", "'\(date)' is not a date.")
        }
        let period = try requireOpenPeriod(containing: date, in: .customerLedger, for: "customer payment")
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
        let hold = try dto.bool("hold") ?? false
        let lines = try paymentLines(dto, type: type, customer: customerNumber)
        if type == "Refund", !hold { try requireFullyApplied(lines, amount: ore(paymentAmount)) }
        let number = try documentNumber(dto, field: "referenceNumber", kind: .customerPayment, prefix: "")
        insert(
            .customerPayment, number,
            JSONValue.object([
                "type": .string(type), "refNbr": .string(number), "status": .string(hold ? "Hold" : "Balanced"),
                "hold": .bool(hold), "applicationDate": .string(date), "applicationPeriod": .string(period),
                "paymentRef": .string(paymentRef),
                "customer": ["number": .string(customerNumber), "name": customer["name"] ?? .null],
                "location": ["id": "MAIN", "name": "Primary Location"],
                "paymentMethod": ["id": .string(method.id), "description": .string(method.description)],
                "cashAccount": .string(cashAccount), "currency": .string(try dto.string("currency") ?? "DKK"),
                "paymentAmount": .number(paymentAmount),
                "availableBalance": .number(type == "Refund" ? 0 : paymentAmount),
                "invoiceText": .text(try dto.string("invoiceText")),
                "branch": .text(try dto.string("branch")), "paymentLines": .array(lines.map(\.rendered)),
                "lastModifiedDateTime": .string(Self.now()),
            ]).compacted)
        return .created("/v1/customerPayment/\(Self.pathSegment(number))")
    }

    private func activePaymentMethod(_ dto: WriteDTO) throws -> CompanyFixture.PaymentMethod {
        let methodId = try dto.requiredString("paymentMethod", "Payment Method")
        guard let method = paymentMethod(methodId) else {
            throw VismaError.badRequest("Error: Payment method '\(methodId)' does not exist.")
        }
        guard method.active else {
            throw VismaError.badRequest("Error: Payment method '\(methodId)' is inactive.")
        }
        return method
    }

    /// One line of "Documents to apply".
    struct Application {
        var documentType: String
        var refNbr: String
        var taken: Int64

        var rendered: JSONValue {
            [
                "documentType": .string(documentType), "refNbr": .string(refNbr),
                "amountPaid": VismaSimulator.amount(taken),
            ]
        }
    }

    /// The lines of a payment: only a refund has documents to apply here (the company has no invoices), each an
    /// open payment, prepayment or credit note of the same customer with enough balance left.
    private func paymentLines(_ dto: WriteDTO, type: String, customer: String) throws -> [Application] {
        let lines = try dto.lines("paymentLines", dto: "PaymentLinesUpdateDto", wrapped: Self.paymentLineWrapped)
        var applications: [Application] = []
        for line in lines {
            let refNbr = try line.requiredString("refNbr", "Reference Nbr.")
            let documentType = try line.string("documentType") ?? ""
            guard type == "Refund", Self.refundableTypes.contains(documentType),
                let document = entity(.customerPayment, refNbr), document["type"]?.stringValue == documentType
            else {
                throw VismaError.badRequest(
                    "Error creating payment. Error: AdjdRefNbr '\(refNbr)' cannot be found in the system.")
            }
            guard let amountPaid = try line.number("amountPaid"), ore(amountPaid) > 0 else {
                throw VismaError.badRequest(
                    "Error creating payment. Error: 'Amount Paid' must be greater than 0 (\(refNbr)).")
            }
            guard document["customer"]?["number"]?.stringValue == customer else {
                throw VismaError.badRequest(
                    "Error creating payment. Error: Document \(documentType) \(refNbr) belongs to another customer.")
            }
            applications.append(Application(documentType: documentType, refNbr: refNbr, taken: ore(amountPaid)))
        }
        try requireOpenBalances(applications)
        return applications
    }

    /// Every applied document is released (Open) and has the balance the refund takes from it.
    private func requireOpenBalances(_ applications: [Application]) throws {
        for (refNbr, lines) in Dictionary(grouping: applications, by: \.refNbr) {
            guard let document = entity(.customerPayment, refNbr) else { continue }
            let status = document["status"]?.stringValue ?? "?"
            guard status == "Open" else {
                throw VismaError.badRequest(
                    "Error creating payment. Error: Document \(lines[0].documentType) \(refNbr) is not released (status \(status)); only open documents can be applied."
                )
            }
            let balance = ore(document["availableBalance"]?.numberValue ?? 0)
            let taken = lines.reduce(0) { $0 + $1.taken }
            guard taken <= balance else {
                throw VismaError.badRequest(
                    "Error creating payment. Error: The amount paid (\(Self.text(taken))) exceeds the balance of \(lines[0].documentType) \(refNbr) (\(Self.text(balance)))."
                )
            }
        }
    }

    private func requireFullyApplied(_ applications: [Application], amount: Int64) throws {
        let applied = applications.reduce(0) { $0 + $1.taken }
        guard applied == amount else {
            throw VismaError.badRequest(
                "Error: The refund must be fully applied before it is released: the documents to apply take \(Self.text(applied)) of the payment amount \(Self.text(amount))."
            )
        }
    }

    /// Release needs `ReleasePaymentActionDto` naming the document's type; a business rule broken at release
    /// answers 200 with `actionResult: Failed` and Visma's text in `errorInfo`.
    mutating func releaseCustomerPayment(_ number: String, _ body: JSONValue) throws -> Outcome {
        guard body != .null else {
            throw VismaError.notRecognized(
                "ReleasePaymentActionDto", "The body is empty; it must name the payment's type.")
        }
        let dto = try WriteDTO(body, dto: "ReleasePaymentActionDto", wrapped: ["type"])
        guard let type = try dto.enumeration("type", Self.paymentTypes) else {
            throw VismaError.badRequest("Error: 'Type' cannot be empty.")
        }
        guard let payment = entity(.customerPayment, number), payment["type"]?.stringValue == type else {
            throw VismaError.notFound("Payment with paymentNumber = \(number) and type = \(type) not found.")
        }
        if takeQueuedRelease(.customerPayment, number) {
            return try Self.releaseAnswer { try completePaymentRelease(number) }
        }
        guard payment["status"]?.stringValue == "Balanced" else {
            throw VismaError.badRequest(
                "Error: Payment \(number) cannot be released in status \(payment["status"]?.stringValue ?? "?").")
        }
        if queueRelease(.customerPayment, number) { return .ok(Self.actionResult("Queued")) }
        return try Self.releaseAnswer { try completePaymentRelease(number) }
    }

    /// The release itself: the cash account takes the GL entry; a refund closes and takes its amounts from the
    /// documents it is applied to (Closed at zero).
    mutating func completePaymentRelease(_ number: String) throws {
        guard var payment = entity(.customerPayment, number)?.objectValue else { return }
        let cashAccount = payment["cashAccount"]?.stringValue ?? ""
        guard account(cashAccount)?.active == true else {
            throw VismaError.badRequest(
                "Error: Account '\(cashAccount)' is inactive or does not exist. The batch cannot be posted.")
        }
        let lines = (payment["paymentLines"]?.arrayValue ?? []).map { line in
            Application(
                documentType: line["documentType"]?.stringValue ?? "", refNbr: line["refNbr"]?.stringValue ?? "",
                taken: ore(line["amountPaid"]?.numberValue ?? 0))
        }
        if payment["type"]?.stringValue == "Refund" {
            try requireFullyApplied(lines, amount: ore(payment["paymentAmount"]?.numberValue ?? 0))
            try requireOpenBalances(lines)
            for line in lines { reduceBalance(of: line.refNbr, by: line.taken) }
            payment["status"] = "Closed"
        } else {
            payment["status"] = "Open"
        }
        payment["lastModifiedDateTime"] = .string(Self.now())
        insert(.customerPayment, number, .object(payment))
    }

    private mutating func reduceBalance(of refNbr: String, by taken: Int64) {
        guard var document = entity(.customerPayment, refNbr)?.objectValue else { return }
        let balance = ore(document["availableBalance"]?.numberValue ?? 0) - taken
        document["availableBalance"] = VismaSimulator.amount(balance)
        if balance == 0 { document["status"] = "Closed" }
        document["lastModifiedDateTime"] = .string(Self.now())
        insert(.customerPayment, refNbr, .object(document))
    }

    /// The document number as the company's series gives it (`behaviour.numbering`): ours with
    /// `overrideNumberSeries` on a series that allows manual numbers on import (refused when taken),
    /// else the next number of the series — a number we supplied is then replaced, not refused.
    mutating func documentNumber(_ dto: WriteDTO, field: String, kind: EntityKind, prefix: String) throws -> String {
        if numbering(kind) == .manualOnImport, try dto.bool("overrideNumberSeries") == true {
            let number = try dto.requiredString(field, field)
            guard entity(kind, number) == nil else {
                throw VismaError.badRequest(
                    "Error: Document number '\(number)' already exists. Another document has the same number.")
            }
            return number
        }
        _ = try dto.bool("overrideNumberSeries")
        return makeDocumentNumber(kind, prefix: prefix)
    }
}

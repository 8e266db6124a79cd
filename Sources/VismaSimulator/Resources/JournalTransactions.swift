import FlexyVismaCore
import Foundation

/// `/v2/journaltransaction`: balanced to the øre, accounts and branch exist, the period is open.
extension CompanyState {
    static let journalWrapped: Set<String> = [
        "batchNumber", "hold", "transactionDate", "postPeriod", "financialPeriod", "ledger", "currencyId", "exchangeRate",
        "autoReversing", "description", "controlTotalInCurrency", "createVatTransaction", "skipVatAmountValidation",
        "transactionCode", "branch", "overrideNumberSeries",
    ]
    static let journalLineWrapped: Set<String> = [
        "lineNumber", "accountNumber", "project", "projectTask", "referenceNumber", "transactionDescription",
        "debitAmountInCurrency", "creditAmountInCurrency", "vatCodeId", "vatId", "branch", "uom", "quantity", "note",
    ]

    func listJournalTransactions(_ query: [String: String]) throws -> Outcome {
        guard query["periodId"] != nil || query["lastModifiedDateTime"] != nil else {
            throw VismaError.badRequest("Error: Either periodId or lastModifiedDateTime must be given.")
        }
        var journals = all(.journalTransaction)
        if let period = query["periodId"] { journals = journals.filter { $0["financialPeriod"]?.stringValue == period } }
        if let branch = query["branch"] { journals = journals.filter { $0["branch"]?.stringValue == branch } }
        return .ok(try paging(query, "journaltransaction").arrayResponse(journals))
    }

    func getJournalTransaction(_ number: String) throws -> Outcome {
        guard let journal = entity(.journalTransaction, number) else {
            throw VismaError.notFound("Journal transaction with batchNumber = \(number) not found.")
        }
        return .ok(journal)
    }

    mutating func createJournalTransaction(_ body: JSONValue) throws -> Outcome {
        let dto = try WriteDTO(body, dto: "JournalTransactionUpdateDto", wrapped: Self.journalWrapped, lines: ["journalTransactionLines"])
        let date = try dto.requiredString("transactionDate", "Transaction Date")
        let period: String
        if let financialPeriod = try dto.string("financialPeriod") {
            period = financialPeriod
        } else if let postPeriod = try dto.string("postPeriod"), postPeriod.count == 6 {
            period = String(postPeriod.suffix(4) + postPeriod.prefix(2))
        } else if let fromDate = Self.periodOf(date: date) {
            period = fromDate
        } else {
            throw VismaError.notRecognized("JournalTransactionUpdateDto", "'\(date)' is not a date.")
        }
        try requireOpenPeriod(period, for: "journal transaction")
        if let branchNumber = try dto.string("branch") {
            guard let branch = branch(branchNumber), branch.active else {
                throw VismaError.badRequest("Error: Branch '\(branchNumber)' does not exist or is inactive.")
            }
        }
        let lines = try dto.lines("journalTransactionLines", dto: "JournalTransactionLineUpdateDto", wrapped: Self.journalLineWrapped, bare: ["operation", "subaccount"])
        guard lines.count >= 2 else { throw VismaError.badRequest("Error: A journal transaction needs at least two lines.") }
        var debit: Int64 = 0
        var credit: Int64 = 0
        var rendered: [JSONValue] = []
        for (index, line) in lines.enumerated() {
            let accountNumber = try line.requiredString("accountNumber", "Account")
            guard let account = account(accountNumber), account.active else {
                throw VismaError.badRequest("Error: Line \(index + 1): Account '\(accountNumber)' does not exist or is inactive.")
            }
            let lineDebit = ore(try line.number("debitAmountInCurrency") ?? 0)
            let lineCredit = ore(try line.number("creditAmountInCurrency") ?? 0)
            guard lineDebit >= 0, lineCredit >= 0, !(lineDebit > 0 && lineCredit > 0) else {
                throw VismaError.badRequest("Error: Line \(index + 1): a line has either a debit or a credit amount, not negative and not both.")
            }
            var vat: JSONValue = .null
            if let vatId = try line.string("vatCodeId") {
                guard let code = fixture.vatCodes.first(where: { $0.id == vatId }) else {
                    throw VismaError.badRequest("Error: Line \(index + 1): TaxID '\(vatId)' cannot be found in the system.")
                }
                vat = ["id": .string(code.id), "description": .string(code.description)]
            }
            debit += lineDebit
            credit += lineCredit
            rendered.append(JSONValue.object([
                "lineNumber": .number(try line.number("lineNumber") ?? Double(index + 1)),
                "accountNumber": .string(account.number), "description": .string(account.description),
                "debitAmount": amount(lineDebit), "debitAmountInCurrency": amount(lineDebit),
                "creditAmount": amount(lineCredit), "creditAmountInCurrency": amount(lineCredit),
                "transactionDescription": .text(try line.string("transactionDescription")),
                "referenceNumber": .text(try line.string("referenceNumber")), "vatCode": vat,
                "branch": .text(try line.string("branch") ?? dto.string("branch")),
            ]).compacted)
        }
        guard debit == credit else {
            throw VismaError.badRequest(
                "Error: The batch is out of balance. Debit total \(Self.text(debit)) does not equal credit total \(Self.text(credit)).")
        }
        let number = try documentNumber(dto, field: "batchNumber", kind: .journalTransaction, prefix: "")
        let hold = try dto.bool("hold") ?? false
        insert(.journalTransaction, number, JSONValue.object([
            "module": "ModuleGL", "batchNumber": .string(number), "status": .string(hold ? "Hold" : "Balanced"),
            "hold": .bool(hold), "transactionDate": .string(date),
            "postPeriod": .string(String(period.suffix(2) + period.prefix(4))), "financialPeriod": .string(period),
            "ledger": "1", "currencyId": .string(try dto.string("currencyId") ?? "DKK"),
            "description": .text(try dto.string("description")),
            "debitTotal": amount(debit), "debitTotalInCurrency": amount(debit),
            "creditTotal": amount(credit), "creditTotalInCurrency": amount(credit),
            "branch": .text(try dto.string("branch")), "journalTransactionLines": .array(rendered),
            "lastModifiedDateTime": .string(Self.now()),
        ]).compacted)
        return .created("/v2/journaltransaction/\(Self.pathSegment(number))")
    }

    mutating func releaseJournalTransaction(_ number: String) throws -> Outcome {
        guard var journal = entity(.journalTransaction, number)?.objectValue else {
            throw VismaError.notFound("Journal transaction with batchNumber = \(number) not found.")
        }
        guard journal["status"]?.stringValue == "Balanced" else {
            throw VismaError.badRequest("Error: Batch \(number) cannot be released in status \(journal["status"]?.stringValue ?? "?").")
        }
        journal["status"] = "Released"
        journal["lastModifiedDateTime"] = .string(Self.now())
        insert(.journalTransaction, number, .object(journal))
        return .ok(["actionId": .string(UUID().uuidString.lowercased()), "actionResult": "Done"])
    }

    static func text(_ ore: Int64) -> String {
        let sign = ore < 0 ? "-" : ""
        let magnitude = ore.magnitude
        return "\(sign)\(magnitude / 100).\(magnitude % 100 < 10 ? "0" : "")\(magnitude % 100)"
    }
}

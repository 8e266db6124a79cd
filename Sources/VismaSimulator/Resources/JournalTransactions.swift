import FlexyVismaCore
import Foundation

/// `/v2/journaltransaction`: balanced to the øre, accounts and branch exist, the period is open in the general ledger,
/// and VAT transactions as Visma checks them (`JournalVat.swift`).
extension CompanyState {
    static let journalWrapped: Set<String> = [
        "batchNumber", "hold", "transactionDate", "postPeriod", "financialPeriod", "ledger", "currencyId",
        "exchangeRate",
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
        if let period = query["periodId"] {
            journals = journals.filter { $0["financialPeriod"]?.stringValue == period }
        }
        if let branch = query["branch"] { journals = journals.filter { $0["branch"]?.stringValue == branch } }
        return .ok(try paging(query, "journaltransaction").arrayResponse(journals))
    }

    /// A queued release of the journal completes when it is looked at again.
    mutating func getJournalTransaction(_ number: String) throws -> Outcome {
        guard entity(.journalTransaction, number) != nil else {
            throw VismaError.notFound("Journal transaction with batchNumber = \(number) not found.")
        }
        if takeQueuedRelease(.journalTransaction, number) { markJournalReleased(number) }
        guard var journal = entity(.journalTransaction, number)?.objectValue else { return .ok(.null) }
        journal["attachments"] = attachmentList("journalTransaction/\(number)")
        return .ok(.object(journal))
    }

    mutating func createJournalTransaction(_ body: JSONValue) throws -> Outcome {
        let dto = try WriteDTO(
            body, dto: "JournalTransactionUpdateDto", wrapped: Self.journalWrapped, lines: ["journalTransactionLines"])
        let render = try checkedJournal(dto)
        let number = try documentNumber(dto, field: "batchNumber", kind: .journalTransaction, prefix: "")
        insert(.journalTransaction, number, render(number))
        return .created("/v2/journaltransaction/\(Self.pathSegment(number))")
    }

    /// Checks a whole journal (header and every line) as a create does; renders it under the number it is given.
    func checkedJournal(_ dto: WriteDTO) throws -> (String) -> JSONValue {
        let date = try dto.requiredString("transactionDate", "Transaction Date")
        let period = try journalPeriod(dto, date: date)
        if let branchNumber = try dto.string("branch") {
            guard let branch = branch(branchNumber), branch.active else {
                throw VismaError.badRequest("Error: Branch '\(branchNumber)' does not exist or is inactive.")
            }
        }
        // Without the functionality Visma ignores the flag (the batch books as plain GL); VAT lines are refused below.
        let createVat = try dto.bool("createVatTransaction") ?? false
        let vatTransactions = createVat && fixture.behaviour.vatEntryFromGeneralLedger
        let lines = try dto.lines(
            "journalTransactionLines", dto: "JournalTransactionLineUpdateDto", wrapped: Self.journalLineWrapped,
            bare: ["operation", "subaccount"])
        guard lines.count >= 2 else {
            throw VismaError.badRequest("Error: A journal transaction needs at least two lines.")
        }
        let parsed = try lines.enumerated().map { index, line in
            try journalLine(line, index: index, createVat: createVat, defaultBranch: dto.string("branch"))
        }
        let debit = parsed.reduce(0) { $0 + $1.debit }
        let credit = parsed.reduce(0) { $0 + $1.credit }
        guard debit == credit else {
            throw VismaError.badRequest(
                "Error: The batch is out of balance. Debit total \(Self.text(debit)) does not equal credit total \(Self.text(credit))."
            )
        }
        let skipVatAmounts = try dto.bool("skipVatAmountValidation") ?? false
        if vatTransactions { try checkVatDocuments(parsed, skipAmountValidation: skipVatAmounts) }
        let hold = try dto.bool("hold") ?? false
        let header: [String: JSONValue] = [
            "module": "ModuleGL", "status": .string(hold ? "Hold" : "Balanced"),
            "hold": .bool(hold), "transactionDate": .string(date),
            "postPeriod": .string(String(period.suffix(2) + period.prefix(4))), "financialPeriod": .string(period),
            "ledger": "1", "currencyId": .string(try dto.string("currencyId") ?? "DKK"),
            "description": .text(try dto.string("description")),
            "createVatTransaction": .bool(vatTransactions), "skipVatAmountValidation": .bool(skipVatAmounts),
            "debitTotal": amount(debit), "debitTotalInCurrency": amount(debit),
            "creditTotal": amount(credit), "creditTotalInCurrency": amount(credit),
            "branch": .text(try dto.string("branch")), "journalTransactionLines": .array(parsed.map(\.rendered)),
        ]
        return { number in
            var members = header
            members["batchNumber"] = .string(number)
            members["lastModifiedDateTime"] = .string(Self.now())
            return JSONValue.object(members).compacted
        }
    }

    /// The batch's period: `financialPeriod` (YYYYPP), else `postPeriod` (PPYYYY), else the period containing the date;
    /// it must be open in the general ledger and contain the transaction date.
    func journalPeriod(_ dto: WriteDTO, date: String) throws -> String {
        guard Self.periodOf(date: date) != nil else {
            throw VismaError.notRecognized("JournalTransactionUpdateDto", "'\(date)' is not a date.")
        }
        let given: String?
        if let financialPeriod = try dto.string("financialPeriod") {
            given = financialPeriod
        } else if let postPeriod = try dto.string("postPeriod"), postPeriod.count == 6 {
            given = String(postPeriod.suffix(4) + postPeriod.prefix(2))
        } else {
            given = nil
        }
        guard let given else {
            return try requireOpenPeriod(containing: date, in: .generalLedger, for: "journal transaction")
        }
        try requireOpenPeriod(given, in: .generalLedger, for: "journal transaction")
        if let period = period(given), !period.contains(date: date) {
            throw VismaError.badRequest(
                "Error: The transaction date \(date.prefix(10)) is outside the financial period \(period.displayId) (\(period.startDate) – \(period.endDate))."
            )
        }
        return given
    }

    mutating func releaseJournalTransaction(_ number: String) throws -> Outcome {
        guard let journal = entity(.journalTransaction, number) else {
            throw VismaError.notFound("Journal transaction with batchNumber = \(number) not found.")
        }
        if takeQueuedRelease(.journalTransaction, number) {
            markJournalReleased(number)
            return .ok(Self.actionResult("Done"))
        }
        guard journal["status"]?.stringValue == "Balanced" else {
            throw VismaError.badRequest(
                "Error: Batch \(number) cannot be released in status \(journal["status"]?.stringValue ?? "?").")
        }
        if queueRelease(.journalTransaction, number) { return .ok(Self.actionResult("Queued")) }
        markJournalReleased(number)
        return .ok(Self.actionResult("Done"))
    }

    mutating func markJournalReleased(_ number: String) {
        guard var journal = entity(.journalTransaction, number)?.objectValue else { return }
        journal["status"] = "Released"
        journal["lastModifiedDateTime"] = .string(Self.now())
        insert(.journalTransaction, number, .object(journal))
    }

    static func text(_ ore: Int64) -> String {
        let sign = ore < 0 ? "-" : ""
        let magnitude = ore.magnitude
        return "\(sign)\(magnitude / 100).\(magnitude % 100 < 10 ? "0" : "")\(magnitude % 100)"
    }
}

extension CompanyState {
    /// A control account takes postings only from its own module, never from a general ledger journal.
    static func refuseControlAccount(_ account: CompanyFixture.Account, line: Int) throws {
        guard let module = account.controlAccountModule else { return }
        throw VismaError.badRequest(
            "Error: Line \(line): Account '\(account.number)' is a control account of module \(module); it can only be posted to from that module."
        )
    }
}

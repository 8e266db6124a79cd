import FlexyVismaCore
import Foundation

/// `PUT /v2/journaltransaction/{number}`: an unreleased batch changed by line operations (`Insert`, `Update`,
/// `Delete` by `lineNumber`), then checked whole as a create is; a released or posted batch is refused (it is
/// corrected only by reversing it). Sourced in `docs/VISMA.md` ("Correcting a booked day").
extension CompanyState {
    mutating func updateJournalTransaction(_ number: String, _ body: JSONValue) throws -> Outcome {
        guard entity(.journalTransaction, number) != nil else {
            throw VismaError.notFound("Journal transaction with batchNumber = \(number) not found.")
        }
        if takeQueuedRelease(.journalTransaction, number) { markJournalReleased(number) }
        guard let journal = entity(.journalTransaction, number) else {
            throw VismaError.notFound("Journal transaction with batchNumber = \(number) not found.")
        }
        let status = journal["status"]?.stringValue ?? "?"
        guard ["Balanced", "Hold"].contains(status) else {
            throw VismaError.badRequest(
                "Error: Batch \(number) has status \(status) and cannot be changed. A released batch is corrected by reversing it."
            )
        }
        let dto = try WriteDTO(
            body, dto: "JournalTransactionUpdateDto", wrapped: Self.journalWrapped, lines: ["journalTransactionLines"])
        if let given = try dto.string("batchNumber"), given != number {
            throw VismaError.badRequest("Error: The batch number cannot be changed (\(number) → \(given)).")
        }
        var lines = Self.writtenLines(journal)
        let operations = try dto.lines(
            "journalTransactionLines", dto: "JournalTransactionLineUpdateDto", wrapped: Self.journalLineWrapped,
            bare: ["operation", "subaccount"])
        for operation in operations { try Self.apply(operation, to: &lines) }

        var merged = Self.writtenHeader(journal)
        for (key, value) in dto.members where key != "journalTransactionLines" { merged[key] = value }
        merged["journalTransactionLines"] = .array(lines.map(\.fields).map { JSONValue.object($0) })
        merged["overrideNumberSeries"] = nil
        merged["batchNumber"] = nil
        let checked = try WriteDTO(
            .object(merged), dto: "JournalTransactionUpdateDto", wrapped: Self.journalWrapped,
            lines: ["journalTransactionLines"])
        let render = try checkedJournal(checked)
        insert(.journalTransaction, number, render(number))
        return .noContent
    }

    /// A held line in write form, with the number operations address it by.
    struct WrittenLine {
        var number: Int
        var fields: [String: JSONValue]
    }

    /// One line operation; `Update` replaces only the fields it carries, `Insert` without a number appends.
    static func apply(_ operation: WriteDTO, to lines: inout [WrittenLine]) throws {
        let kind = operation.members["operation"]?.stringValue ?? "Insert"
        let number = try operation.number("lineNumber").flatMap { Int(exactly: $0) }
        var fields = operation.members
        fields["operation"] = nil
        switch kind {
        case "Delete", "Update":
            guard let number, let index = lines.firstIndex(where: { $0.number == number }) else {
                throw VismaError.badRequest(
                    "Error: Line \(number.map(String.init) ?? "without a line number") cannot be found in the batch (\(kind))."
                )
            }
            if kind == "Delete" {
                lines.remove(at: index)
            } else {
                for (key, value) in fields { lines[index].fields[key] = value }
            }
        default:
            let assigned = number ?? ((lines.map(\.number).max() ?? 0) + 1)
            guard !lines.contains(where: { $0.number == assigned }) else {
                throw VismaError.badRequest("Error: Line number \(assigned) already exists in the batch.")
            }
            fields["lineNumber"] = ["value": .number(Double(assigned))]
            lines.append(WrittenLine(number: assigned, fields: fields))
        }
    }

    /// A held journal's lines as the write DTO's, so the batch can be checked again after the operations.
    static func writtenLines(_ journal: JSONValue) -> [WrittenLine] {
        (journal["journalTransactionLines"]?.arrayValue ?? []).enumerated().map { index, line in
            var fields: [String: JSONValue] = [:]
            func wrap(_ key: String, _ value: JSONValue?) {
                if let value, value != .null { fields[key] = ["value": value] }
            }
            let number = line["lineNumber"]?.numberValue.flatMap { Int(exactly: $0) } ?? index + 1
            wrap("lineNumber", .number(Double(number)))
            wrap("accountNumber", line["accountNumber"])
            wrap("transactionDescription", line["transactionDescription"])
            wrap("referenceNumber", line["referenceNumber"])
            wrap("vatCodeId", line["vatCode"]?["id"])
            wrap("vatId", line["vat"]?["id"])
            wrap("branch", line["branch"])
            if let debit = line["debitAmountInCurrency"]?.numberValue, debit != 0 {
                wrap("debitAmountInCurrency", .number(debit))
            }
            if let credit = line["creditAmountInCurrency"]?.numberValue, credit != 0 {
                wrap("creditAmountInCurrency", .number(credit))
            }
            return WrittenLine(number: number, fields: fields)
        }
    }

    /// A held journal's header fields in write form.
    static func writtenHeader(_ journal: JSONValue) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for key in [
            "transactionDate", "financialPeriod", "currencyId", "description", "branch", "hold", "createVatTransaction",
            "skipVatAmountValidation",
        ] {
            if let value = journal[key], value != .null { fields[key] = ["value": value] }
        }
        return fields
    }
}

import FlexyVismaCore
import Foundation

/// Admin changes to what the company holds, made as a bookkeeper would in Visma's screens, to rehearse reconciliation:
///
/// - `DELETE /_simulator/records/{kind}/{key}`: the record is gone (a journal deleted in Visma); kind `attachment`
///   with an attachment's id: a voucher removed from its document.
/// - `POST /_simulator/journal-line` `{"batchNumber", "lineNumber", "debitAmount" | "creditAmount"}`: one line's amount
///   edited; the journal's totals follow, its balance is not checked (it stands for an edit in GL301000).
/// - `POST /_simulator/hand-journal` with a `JournalTransactionUpdateDto`: a journal booked by hand, with every check
///   a create through the API makes, released at once (as a bookkeeper's booked journal is).
/// A payment is voided through the API's own `POST /v1/customerPayment/{n}/action/void`.
extension CompanyState {
    static let adminRecordRoutes: Set<String> = ["records", "journal-line", "hand-journal"]

    mutating func adminRecordChange(
        method: String, segments: [String], body: Data
    ) -> (response: SimulatorResponse, changed: Bool) {
        do {
            switch (method, segments.first ?? "") {
            case ("DELETE", "records") where segments.count == 3 && segments[1] == "attachment":
                guard removeAttachment(id: segments[2]) else {
                    return (.json(404, ["message": .string("no attachment '\(segments[2])'")]), false)
                }
                return (.json(200, ["deleted": .string(segments[2])]), true)
            case ("DELETE", "records") where segments.count == 3:
                guard let kind = EntityKind(rawValue: segments[1]) else {
                    return (.json(400, ["message": .string("unknown kind '\(segments[1])'")]), false)
                }
                guard remove(kind, segments[2]) else {
                    return (.json(404, ["message": .string("no \(kind.rawValue) '\(segments[2])'")]), false)
                }
                return (.json(200, ["deleted": .string(segments[2])]), true)
            case ("POST", "journal-line"):
                return try editJournalLine(JSONValue.parse(body))
            case ("POST", "hand-journal"):
                guard case .created(let path) = try createJournalTransaction(try JSONValue.parse(body)) else {
                    return (.json(500, ["message": "the journal was not created"]), false)
                }
                let number = String(path.split(separator: "/").last ?? "").removingPercentEncoding ?? ""
                markJournalReleased(number)
                return (.json(201, ["batchNumber": .string(number)]), true)
            default:
                return (
                    .json(
                        404,
                        [
                            "message":
                                "admin record endpoints: DELETE records/{kind}/{key}, POST journal-line, POST hand-journal"
                        ]), false
                )
            }
        } catch let error as VismaError {
            return (.error(error), false)
        } catch {
            return (.json(400, ["message": .string("not JSON: \(error)")]), false)
        }
    }

    /// Removes a record; false when there is none.
    mutating func remove(_ kind: EntityKind, _ key: String) -> Bool {
        guard entities[kind]?.removeValue(forKey: key) != nil else { return false }
        order[kind]?.removeAll { $0 == key }
        return true
    }

    private mutating func editJournalLine(_ request: JSONValue) throws -> (response: SimulatorResponse, changed: Bool) {
        guard let number = request["batchNumber"]?.stringValue,
            var journal = entity(.journalTransaction, number)?.objectValue,
            let lineNumber = request["lineNumber"]?.numberValue
        else { return (.json(404, ["message": "give the batchNumber of a journal and a lineNumber"]), false) }
        var lines = journal["journalTransactionLines"]?.arrayValue ?? []
        guard let index = lines.firstIndex(where: { $0["lineNumber"]?.numberValue == lineNumber }),
            var line = lines[index].objectValue
        else {
            return (.json(404, ["message": .string("journal \(number) has no line \(lineNumber)")]), false)
        }
        for side in ["debitAmount", "creditAmount"] {
            guard let value = request[side]?.numberValue, value.isFinite, value >= 0 else { continue }
            line[side] = amount(ore(value))
            line["\(side)InCurrency"] = amount(ore(value))
        }
        lines[index] = .object(line)
        for side in ["debit", "credit"] {
            let total = lines.reduce(Int64(0)) { $0 + ore($1["\(side)AmountInCurrency"]?.numberValue ?? 0) }
            journal["\(side)Total"] = amount(total)
            journal["\(side)TotalInCurrency"] = amount(total)
        }
        journal["journalTransactionLines"] = .array(lines)
        journal["lastModifiedDateTime"] = .string(Self.now())
        insert(.journalTransaction, number, .object(journal))
        return (.json(200, .object(journal)), true)
    }
}

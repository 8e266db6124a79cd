import FlexyVismaCore
import Foundation
import StateStore
import VismaAPI
import VismaPayloads

/// A payload record as it goes on the wire: its references and `{number}` replaced by Visma's numbers.
struct AddressedRecord: Sendable {
    let record: PayloadRecord
    /// The record's number in Visma as far as known before sending: Visma's from the ledger, else ours.
    let number: String
    let path: String
    let lookup: String
    let body: Data
    /// The own-key search's list with its reference placeholders filled in.
    let searchList: String?

    var key: String { record.key }
    var method: String { record.method }

    /// The same request with another body (a withdrawal with the deposits it is applied to).
    func with(body: Data) -> AddressedRecord {
        AddressedRecord(record: record, number: number, path: path, lookup: lookup, body: body, searchList: searchList)
    }
}

/// A reference no number can be found for: the record it names is neither created by FlexyVisma nor in Visma.
struct UnresolvedReference: Error, Sendable, CustomStringConvertible {
    var reference: PayloadRecord.Reference
    var description: String {
        "\(reference.kind) \(reference.key) (\(reference.field)) is not known to Visma: FlexyVisma has not created it and Visma did not have it when the batch was validated"
    }
}

/// Visma's numbers for our keys, read from the ledger across batches when a group is about to be sent.
///
/// A reference resolves to the number the ledger holds (what Visma's `Location` named when it created
/// the record), else to the customer the batch's reference snapshot found by our key (its account
/// reference, or its number when Visma had it before FlexyVisma); anything else is refused unsent.
struct NumberBook: Sendable {
    private var numbers: [String: [String: String]] = [:]
    private let reference: ReferenceSnapshot?

    /// The numbers the records of a group need: their own and those they refer to.
    init(ledger: UploadLedger, records: [PayloadRecord], reference: ReferenceSnapshot?) throws {
        var wanted: [String: Set<String>] = [:]
        for record in records {
            wanted[record.kind, default: []].insert(record.key)
            for reference in record.references { wanted[reference.kind, default: []].insert(reference.key) }
        }
        for (kind, keys) in wanted { numbers[kind] = try ledger.vismaNumbers(kind: kind, keys: keys) }
        self.reference = reference
    }

    /// Visma's number for a record of ours, if Visma knows it.
    func number(kind: String, key: String) -> String? {
        if let number = numbers[kind]?[key] { return number }
        return kind == PayloadGroup.customers.kind ? reference?.vismaCustomer(key) : nil
    }

    func address(_ record: PayloadRecord) throws -> AddressedRecord {
        let own = numbers[record.kind]?[record.key] ?? record.key
        var body = Data(record.bodyText.utf8)
        var searchList = record.search?.list
        if !record.references.isEmpty {
            var members = record.body.objectValue ?? [:]
            for reference in record.references {
                guard let number = number(kind: reference.kind, key: reference.key) else {
                    throw UnresolvedReference(reference: reference)
                }
                members[reference.field] = ["value": .string(number)]
                searchList = searchList?.replacingOccurrences(
                    of: "{\(reference.field)}", with: PercentEncoding.encode(number))
            }
            body = JSONValue.object(members).encoded()
        }
        return AddressedRecord(
            record: record, number: own, path: Self.fill(record.path, number: own),
            lookup: Self.fill(record.lookup, number: own),
            body: body, searchList: searchList)
    }

    /// A path with `{number}` replaced by the percent-encoded number.
    static func fill(_ template: String, number: String) -> String {
        template.replacingOccurrences(of: PayloadRecord.numberPlaceholder, with: PercentEncoding.encode(number))
    }
}

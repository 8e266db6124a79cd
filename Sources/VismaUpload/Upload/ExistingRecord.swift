import FlexyVismaCore
import Foundation
import VismaAPI
import VismaPayloads

/// A create Visma answered "already exists": the record Visma holds compared with the one we were about to create.
///
/// Only the fields our body carries are compared (the fields FlexyBox owns), each against the read DTO's field of
/// the same name, or the `id` of the field without the `Id` suffix (`customerClassId` → `customerClass.id`);
/// a field the read DTO does not show, a write-only switch and a document's lines are not compared.
/// SPI so that the JSON fuzz target (`Fuzz/`) can feed it a hostile server's answers.
@_spi(Fuzzing)
public enum ExistingRecord {
    /// The rule id of a create that met a record Visma holds with other FlexyBox fields.
    static let rule = UploadRule.existsDifferent.id

    static let hint =
        "make the record in Visma what FlexyBox holds (or FlexyBox what Visma holds) and run `flexyvisma retry`; "
        + "a venue moving over from FlexyBox's own integration sets pipeline.onExisting to adoptAndUpdate"

    /// Write-only switches, not fields of the record.
    static let switches: Set<String> = ["overrideWithClassValues", "overrideNumberSeries", "hold"]

    /// One line per compared field that differs: `field: ours …, Visma's …`.
    public static func differences(ours body: JSONValue, held: JSONValue, prefix: String = "") -> [String] {
        var lines: [String] = []
        for (field, wrapped) in (body.objectValue ?? [:]).sorted(by: { $0.key < $1.key })
        where !switches.contains(field) {
            let ours = wrapped["value"] ?? wrapped
            guard let theirs = heldField(field, in: held) else { continue }
            let name = prefix + field
            switch ours {
            case .array: continue
            case .object:
                lines += differences(ours: ours, held: theirs, prefix: name + ".")
            default:
                if !same(ours, theirs) { lines.append("\(name): ours \(text(ours)), Visma's \(text(theirs))") }
            }
        }
        return lines
    }

    private static func heldField(_ field: String, in held: JSONValue) -> JSONValue? {
        if let value = held[field] { return value }
        if field.hasSuffix("Id"), field.count > 2, let value = held[String(field.dropLast(2))] {
            return value["id"] ?? value
        }
        return nil
    }

    private static func same(_ ours: JSONValue, _ theirs: JSONValue) -> Bool {
        if case .object = theirs {
            return ["id", "number", "value"].contains { theirs[$0].map { same(ours, $0) } ?? false }
        }
        switch (ours, theirs) {
        case (.number(let a), .number(let b)): return abs(a - b) < 0.000_001
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    private static func text(_ value: JSONValue) -> String {
        if case .object = value, let id = value["id"] ?? value["number"] { return text(id) }
        let encoded = String(decoding: value.encoded(), as: UTF8.self)
        return encoded.count > 200 ? String(encoded.prefix(200)) + "…" : encoded
    }

    /// The body of the PUT that makes an adopted record ours: the create's fields without the key Visma
    /// takes only on a create, and keeping the settings the record has of its own (not its class's).
    public static func updateBody(_ body: Data, group: PayloadGroup) -> Data? {
        guard var members = (try? JSONValue.parse(body))?.objectValue else { return nil }
        for key in ["inventoryNumber", "number", "overrideNumberSeries"] { members[key] = nil }
        if members["overrideWithClassValues"] != nil { members["overrideWithClassValues"] = .bool(false) }
        return JSONValue.object(members).encoded()
    }

    /// Kinds whose record may be adopted and updated: master data, where a whole-record PUT is safe.
    static func mayUpdate(_ group: PayloadGroup) -> Bool {
        [.rawMaterials, .stockProducts, .kitProducts, .customers].contains(group)
    }
}

extension RecordSender {
    /// "Already exists" on a create: Visma's refusal if the lookup says absent; else the record Visma holds is
    /// read and compared — equal is ours, different halts with both versions or, when configured, is updated.
    func settleAlreadyExists(_ record: AddressedRecord, message: String) async -> SendOutcome {
        var reason = ""
        for attempt in 0..<maximumLookupAttempts {
            switch await locate(record) {
            case .found(let number): return await compareExisting(record, number: number)
            case .absent: return .rejected(message: message, status: 400)
            case .unknown(let why):
                reason = why
                await backoff(attempt)
            }
        }
        return .unresolved(reason: "Visma answered \"\(message)\" and could not be asked whether it is ours: \(reason)")
    }

    private func compareExisting(_ record: AddressedRecord, number: String) async -> SendOutcome {
        let path = NumberBook.fill(record.record.lookup, number: number)
        guard let response = await exchange("GET", path) else { return .unresolved(reason: "GET \(path): no answer") }
        guard response.status == 200, let held = try? JSONValue.parse(response.body) else {
            return .unresolved(reason: "GET \(path) answered HTTP \(response.status)")
        }
        let differences = ExistingRecord.differences(ours: (try? JSONValue.parse(record.body)) ?? .null, held: held)
        if differences.isEmpty { return .done(vismaId: number, created: true) }
        guard onExisting == .adoptAndUpdate, ExistingRecord.mayUpdate(record.record.group),
            let body = ExistingRecord.updateBody(record.body, group: record.record.group)
        else {
            return .conflict(
                message:
                    "Visma already has \(record.record.kind) \(number), made elsewhere, with other FlexyBox fields — \(differences.joined(separator: "; "))"
            )
        }
        let update = AddressedRecord(
            record: record.record, number: number, path: path, lookup: path, body: body, searchList: record.searchList)
        switch await send(update, method: "PUT") {
        case .done: return .done(vismaId: number, created: false)
        case let other: return other
        }
    }
}

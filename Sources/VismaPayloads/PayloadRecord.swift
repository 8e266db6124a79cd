import FlexyVismaCore
import Foundation
import VismaAPI

/// The kinds of Visma record a batch becomes, in upload order (docs/ARCHITECTURE.md, "The stages").
public enum PayloadGroup: Int, Codable, Sendable, CaseIterable, Comparable {
    case rawMaterials = 1
    case stockProducts
    case kitProducts
    case kitSpecifications
    case customers
    case customerPayments
    case purchaseOrders
    case journalTransactions

    public var fileName: String {
        let names = [
            "", "raw-materials", "stock-products", "kit-products", "kit-specifications", "customers",
            "customer-payments",
            "purchase-orders", "journal-transactions",
        ]
        return String(format: "%02d-%@.jsonl", rawValue, names[rawValue])
    }

    /// The kind name used in manifests, counts and the simulator's entity list.
    public var kind: String {
        switch self {
        case .rawMaterials, .stockProducts, .kitProducts: "inventory"
        case .kitSpecifications: "kitSpecification"
        case .customers: "customer"
        case .customerPayments: "customerPayment"
        case .purchaseOrders: "purchaseOrder"
        case .journalTransactions: "journalTransaction"
        }
    }

    public static func < (lhs: PayloadGroup, rhs: PayloadGroup) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One Visma request to make, with the natural key that proves whether it was already made.
///
/// The body is kept as the JSON text that goes on the wire, encoded once at transform time: the
/// upload sends those bytes as they are instead of decoding and re-encoding every payload.
public struct PayloadRecord: Encodable, Sendable, Equatable {
    public var sequence: Int
    public var group: PayloadGroup
    /// Item number, `kit/revision`, customer number or the document number we chose.
    public var key: String
    public var method: String
    public var path: String
    /// GET this to see whether the record already exists in Visma (200) or not (404).
    public var lookup: String
    /// The write DTO as JSON text (in the file: a JSON string).
    public var bodyText: String
    /// Set when config releases documents: the release action's path as transform knew the number. The upload
    /// releases the number Visma gave (`Location`), with the body the document kind needs.
    public var release: String?
    /// Where the record came from, for the bookkeeper: `file:line`.
    public var origin: String?
    /// Body fields naming another record by our key; upload puts in Visma's number when it sends.
    public var references: [Reference] = []
    /// How to find the record by our key after a lost answer, for records Visma may number itself.
    public var search: OwnKeySearch?

    /// Stands for this record's number in Visma in `path`, `lookup` and `release`: ours, or the one Visma gave it.
    public static let numberPlaceholder = "{number}"

    /// A body field that names another record by our key, e.g. a payment's `customer`.
    ///
    /// The payload file keeps our key; upload resolves it at send time (`UploadLedger`'s Visma number,
    /// else ours when Visma had the record before FlexyVisma), so the file never holds a guess.
    public struct Reference: Codable, Sendable, Equatable {
        /// A top-level body field holding `{"value": key}`; `{field}` in `OwnKeySearch.list` stands for its resolved value.
        public var field: String
        /// The referenced record's kind (`customer`).
        public var kind: String
        public var key: String

        public init(field: String, kind: String, key: String) {
            self.field = field
            self.kind = kind
            self.key = key
        }
    }

    /// Where Visma keeps our key for a record it may have numbered, and the list that finds it.
    public struct OwnKeySearch: Codable, Sendable, Equatable {
        /// A list path with the filters Visma offers to narrow it; paged by the sender.
        public var list: String
        /// The field of a listed record holding our key; `lines.field` matches any element of the array `lines`.
        public var keyField: String
        /// The field holding Visma's number for the record.
        public var numberField: String
        /// The text the key field holds, when it is more than our key (`FlexyBox PO-1`).
        public var keyText: String

        public init(list: String, keyField: String, numberField: String, keyText: String) {
            self.list = list
            self.keyField = keyField
            self.numberField = numberField
            self.keyText = keyText
        }

        /// Whether a listed record holds `keyText` in `keyField`.
        public func matches(_ element: JSONValue) -> Bool {
            let parts = keyField.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                return (element[parts[0]]?.arrayValue ?? []).contains { $0[parts[1]]?.stringValue == keyText }
            }
            return element[keyField]?.stringValue == keyText
        }
    }

    /// Throws only for a number JSON cannot carry (NaN, infinity) in the body.
    public init(
        sequence: Int, group: PayloadGroup, key: String, method: String, path: String, lookup: String,
        body: some VismaWriteDTO,
        release: String?, origin: String?
    ) throws {
        self.sequence = sequence
        self.group = group
        self.key = key
        self.method = method
        self.path = path
        self.lookup = lookup
        self.bodyText = String(decoding: try body.encodedBody(), as: UTF8.self)
        self.release = release
        self.origin = origin
    }

    /// The body as a JSON value (parsed on demand: for checks, not for sending).
    public var body: JSONValue { (try? JSONValue.parse(bodyText)) ?? .null }

    public var kind: String { group.kind }

    private enum CodingKeys: String, CodingKey {
        case sequence, group, key, method, path, lookup
        case bodyText = "body"
        case release, origin, references, search
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(group, forKey: .group)
        try container.encode(key, forKey: .key)
        try container.encode(method, forKey: .method)
        try container.encode(path, forKey: .path)
        try container.encode(lookup, forKey: .lookup)
        try container.encode(bodyText, forKey: .bodyText)
        try container.encodeIfPresent(release, forKey: .release)
        try container.encodeIfPresent(origin, forKey: .origin)
        // Written only when present, so that records without them read and hash as before.
        if !references.isEmpty { try container.encode(references, forKey: .references) }
        try container.encodeIfPresent(search, forKey: .search)
    }
}

/// A payload line that is not what transform writes.
public struct PayloadFileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var problem: String

    public var description: String {
        "\(file) line \(line): \(problem); payload files are written by transform: run it again rather than editing them"
    }
}

extension PayloadRecord {
    /// Every record of one `payloads/NN-<group>.jsonl` file, in file order.
    ///
    /// Read with `JSONValue.parse` rather than Codable: an upload reads every line before it sends
    /// anything, and Foundation's keyed decoding was a fifth of a whole upload's CPU.
    public static func read(_ url: URL) throws -> [PayloadRecord] {
        let data = try Data(contentsOf: url)
        return try data.withUnsafeBytes { bytes in
            var records: [PayloadRecord] = []
            var start = 0
            var line = 0
            while start < bytes.count {
                line += 1
                let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                if end > start {
                    do {
                        records.append(
                            try PayloadRecord(
                                json: try JSONValue.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))))
                    } catch {
                        throw PayloadFileError(file: url.lastPathComponent, line: line, problem: "\(error)")
                    }
                }
                start = end + 1
            }
            return records
        }
    }

    /// The fields the encoder writes, read back under the same `CodingKeys`.
    private init(json: JSONValue) throws {
        func value(_ key: CodingKeys) throws -> JSONValue {
            guard let value = json[key.stringValue] else { throw PayloadFieldError(field: key.stringValue) }
            return value
        }
        func text(_ key: CodingKeys) throws -> String {
            guard let text = try value(key).stringValue else { throw PayloadFieldError(field: key.stringValue) }
            return text
        }
        func integer(_ key: CodingKeys) throws -> Int {
            guard let number = try value(key).numberValue.flatMap({ Int(exactly: $0) }) else {
                throw PayloadFieldError(field: key.stringValue)
            }
            return number
        }
        sequence = try integer(.sequence)
        guard let group = PayloadGroup(rawValue: try integer(.group)) else {
            throw PayloadFieldError(field: CodingKeys.group.stringValue)
        }
        self.group = group
        key = try text(.key)
        method = try text(.method)
        path = try text(.path)
        lookup = try text(.lookup)
        bodyText = try text(.bodyText)
        release = json[CodingKeys.release.stringValue]?.stringValue
        origin = json[CodingKeys.origin.stringValue]?.stringValue
        references = try (json[CodingKeys.references.stringValue]?.arrayValue ?? []).map { reference in
            guard let field = reference["field"]?.stringValue, let kind = reference["kind"]?.stringValue,
                let key = reference["key"]?.stringValue
            else { throw PayloadFieldError(field: CodingKeys.references.stringValue) }
            return Reference(field: field, kind: kind, key: key)
        }
        if let search = json[CodingKeys.search.stringValue], search != .null {
            guard let list = search["list"]?.stringValue, let keyField = search["keyField"]?.stringValue,
                let numberField = search["numberField"]?.stringValue, let keyText = search["keyText"]?.stringValue
            else { throw PayloadFieldError(field: CodingKeys.search.stringValue) }
            self.search = OwnKeySearch(list: list, keyField: keyField, numberField: numberField, keyText: keyText)
        }
    }
}

private struct PayloadFieldError: Error, CustomStringConvertible {
    var field: String
    var description: String { "\(field) is missing or not of the right type" }
}

/// The Visma payment types a customer's deposits and withdrawals become (see docs/VISMA.md).
public enum PaymentKind {
    /// Money a customer leaves on account before anything is sold: a prepayment (held on the prepayment account).
    public static let deposit = "Prepayment"
    /// Money paid back: a customer refund, applied to the open deposits it pays back.
    public static let withdrawal = "Refund"
}

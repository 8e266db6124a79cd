import FlexyVismaCore
import Foundation
import VismaAPI

/// The kinds of Visma record a batch becomes, in upload order (DESIGN §7).
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
            "", "raw-materials", "stock-products", "kit-products", "kit-specifications", "customers", "customer-payments",
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

    /// Throws only for a number JSON cannot carry (NaN, infinity) in the body.
    public init(
        sequence: Int, group: PayloadGroup, key: String, method: String, path: String, lookup: String, body: some VismaWriteDTO,
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
        case sequence, group, key, method, path, lookup, bodyText = "body", release, origin
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
                        records.append(try PayloadRecord(json: try JSONValue.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))))
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
            guard let number = try value(key).numberValue.flatMap({ Int(exactly: $0) }) else { throw PayloadFieldError(field: key.stringValue) }
            return number
        }
        sequence = try integer(.sequence)
        guard let group = PayloadGroup(rawValue: try integer(.group)) else { throw PayloadFieldError(field: CodingKeys.group.stringValue) }
        self.group = group
        key = try text(.key)
        method = try text(.method)
        path = try text(.path)
        lookup = try text(.lookup)
        bodyText = try text(.bodyText)
        release = json[CodingKeys.release.stringValue]?.stringValue
        origin = json[CodingKeys.origin.stringValue]?.stringValue
    }
}

private struct PayloadFieldError: Error, CustomStringConvertible {
    var field: String
    var description: String { "\(field) is missing or not of the right type" }
}

/// The Visma payment types a customer's deposits and withdrawals become (see docs/visma/payments-and-customers.md).
public enum PaymentKind {
    /// Money a customer leaves on account before anything is sold: a prepayment (held on the prepayment account).
    public static let deposit = "Prepayment"
    /// Money paid back: a customer refund, applied to the open deposits it pays back.
    public static let withdrawal = "Refund"
}

import Foundation

/// A batch id that sorts by arrival: `YYYYMMDDTHHMMSSZ-<6 hex>` (docs/ARCHITECTURE.md, "The pipeline root").
public struct BatchID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts only the canonical shape, so an id can be used as a folder name safely.
    public init?(_ rawValue: String) {
        let bytes = Array(rawValue.utf8)
        guard bytes.count == 23, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z"),
            bytes[16] == UInt8(ascii: "-")
        else { return nil }
        let digits = bytes[0..<8] + bytes[9..<15]
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        guard bytes[17...].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        self.rawValue = rawValue
    }

    /// A new id for an arrival at `date`, with random hex so that two arrivals in one second differ.
    public static func make(at date: Date = Date()) -> BatchID {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let suffix = String(UInt32.random(in: 0...0xFF_FFFF), radix: 16)
        let padded = String(repeating: "0", count: 6 - suffix.count) + suffix
        return BatchID(unchecked: "\(formatter.string(from: date))-\(padded)")
    }

    private init(unchecked rawValue: String) { self.rawValue = rawValue }

    public var year: String { String(rawValue.prefix(4)) }
    public var month: String { String(rawValue.dropFirst(4).prefix(2)) }
    public var description: String { rawValue }

    public static func < (lhs: BatchID, rhs: BatchID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = BatchID(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a batch id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

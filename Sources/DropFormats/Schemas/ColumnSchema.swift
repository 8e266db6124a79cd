import FlexyVismaCore
import Foundation

/// The columns of one CSV drop file type, loaded from `Schemas/<type>.columns.json`.
public struct ColumnSchema: Codable, Sendable, Equatable {
    public var fileType: String
    public var description: String
    /// The column whose value names a record in errors and must be unique in the file.
    public var keyColumn: String
    public var columns: [Column]

    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        public var type: ValueType
        public var required: Bool
        /// Required only when another column has this value (e.g. `sales_price` when `kind` is `product`).
        public var requiredWhen: Condition?
        public var unique: Bool?
        public var pattern: String?
        public var minLength: Int?
        public var maxLength: Int?
        /// Decimal places allowed for `decimal` columns.
        public var scale: Int?
        /// For decimal columns: `nonNegative`, `nonZero`.
        public var sign: Sign?
        public var values: [String]?
        public var defaultValue: String?
        public var description: String
    }

    public enum ValueType: String, Codable, Sendable {
        case string, decimal, date, boolean, enumeration, countryCode, email
    }

    public enum Sign: String, Codable, Sendable {
        case nonNegative, nonZero
    }

    public struct Condition: Codable, Sendable, Equatable {
        public var column: String
        public var equals: String
    }

    public var columnNames: [String] { columns.map(\.name) }

    public func column(named name: String) -> Column? { columns.first { $0.name == name } }

    public static func load(_ type: DropFileType, from schemas: SchemaDirectory) throws -> ColumnSchema {
        let url = schemas.url(for: type)
        do {
            return try BoundedJSONDecoder.decode(ColumnSchema.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw OperatorMessage(.internalError, "\(url.path): \(error.plainDescription)")
        } catch {
            throw OperatorMessage(.internalError, "cannot read \(url.path): \(error.localizedDescription)")
        }
    }
}

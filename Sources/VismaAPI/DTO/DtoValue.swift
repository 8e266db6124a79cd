import Foundation

/// Visma's write-DTO wrapper `{"value": …}` (the document's `DtoValueOf…` schemas).
///
/// A DTO holds it as an optional property: unset, the field is left out of the body (synthesised
/// `Encodable` uses `encodeIfPresent`), because `{"value": null}` clears the field on a PUT.
public struct DtoValue<Value: Encodable & Sendable & Equatable>: Encodable, Sendable, Equatable {
    public var value: Value

    public init(_ value: Value) { self.value = value }
}

/// A line's operation in a write DTO's line array (sent unwrapped).
public enum LineOperation: String, Encodable, Sendable, Equatable {
    case insert = "Insert"
    case update = "Update"
    case delete = "Delete"
}

/// A body we send to Visma: an `Encodable` DTO named after its schema in Visma's OpenAPI document.
public protocol VismaWriteDTO: Encodable, Sendable, Equatable {
    /// The schema of the request body in the official document, e.g. `InventoryUpdateDto`.
    static var openAPISchema: String { get }
}

extension VismaWriteDTO {
    /// The body as it goes on the wire: sorted keys, slashes unescaped, unset fields absent.
    ///
    /// Throws only for a number JSON cannot carry (NaN, infinity).
    public func encodedBody() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

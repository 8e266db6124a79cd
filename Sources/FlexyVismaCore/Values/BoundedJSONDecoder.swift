import Foundation

/// Foundation's `JSONDecoder`, after a check that the document nests no deeper than `JSONValue.maximumDepth`.
///
/// Swift 6.3.1's decoder traps (SIGILL) on a document nested 513 levels deep, as `fuzz-json` found: a
/// lying server's answer or a file in the root must never be able to kill a stage that way.
public enum BoundedJSONDecoder {
    public struct TooDeep: Error, CustomStringConvertible {
        public var description: String { "the JSON nests deeper than \(JSONValue.maximumDepth) levels" }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard depthWithinLimit(data) else { throw TooDeep() }
        return try JSONDecoder().decode(type, from: data)
    }

    /// One pass over the bytes: brackets outside strings, escapes honoured.
    static func depthWithinLimit(_ data: Data) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > JSONValue.maximumDepth { return false }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return true
    }
}

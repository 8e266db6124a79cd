import Foundation

/// A JSON text that is not valid, with the byte offset where reading stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var message: String

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

extension JSONValue {
    /// Deepest nesting accepted: a hostile body of a million brackets is refused, not recursed into.
    public static let maximumDepth = 256

    /// Parses a JSON text (RFC 8259) into a value.
    ///
    /// Written for speed on request bodies and payload lines: Foundation's decoder, asked for
    /// "any JSON", tries each kind in turn and throws for every miss, which cost the simulator more
    /// than half of its time per request.
    public static func parse(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { try parse($0) }
    }

    /// Parses the JSON text in `bytes` (one line of a JSON Lines file, say).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes.bindMemory(to: UInt8.self))
        return try parser.parseDocument()
    }

    /// Parses JSON text given as a string.
    public static func parse(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { bytes in
            var parser = JSONParser(bytes: bytes)
            return try parser.parseDocument()
        }
    }
}

/// A recursive-descent reader over the bytes of one JSON text.
private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws -> JSONValue {
        let value = try parseValue()
        skipWhitespace()
        guard offset == bytes.count else { throw failure("unexpected text after the value") }
        return value
    }

    private func failure(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset, message: message)
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws -> JSONValue {
        skipWhitespace()
        guard offset < bytes.count else { throw failure("the text ends where a value was expected") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected character where a value was expected")
        }
    }

    private mutating func expect(_ word: String) throws {
        let start = offset
        for byte in word.utf8 {
            guard offset < bytes.count, bytes[offset] == byte else {
                throw JSONSyntaxError(offset: start, message: "expected \(word)")
            }
            offset += 1
        }
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= JSONValue.maximumDepth else {
            throw failure("nested deeper than \(JSONValue.maximumDepth) levels")
        }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        offset += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                throw failure("expected a member name in quotes")
            }
            let key = try parseString()
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else {
                throw failure("expected : after a member name")
            }
            offset += 1
            members[key] = try parseValue()
            skipWhitespace()
            guard offset < bytes.count else { throw failure("the text ends inside an object") }
            switch bytes[offset] {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                return .object(members)
            default: throw failure("expected , or } in an object")
            }
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard offset < bytes.count else { throw failure("the text ends inside an array") }
            switch bytes[offset] {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                return .array(elements)
            default: throw failure("expected , or ] in an array")
            }
        }
    }

    private mutating func parseString() throws -> String {
        offset += 1
        let start = offset
        // The common case: no escapes, so the bytes between the quotes are the string.
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let text = try decoded(UnsafeBufferPointer(rebasing: bytes[start..<offset]), from: start)
                offset += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure("a control character must be escaped in a string") }
            offset += 1
        }
        var unescaped = Array(bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return try unescaped.withUnsafeBufferPointer { try decoded($0, from: start) }
            case UInt8(ascii: "\\"):
                offset += 1
                guard offset < bytes.count else { break }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escape)
                case UInt8(ascii: "b"): unescaped.append(0x08)
                case UInt8(ascii: "f"): unescaped.append(0x0C)
                case UInt8(ascii: "n"): unescaped.append(0x0A)
                case UInt8(ascii: "r"): unescaped.append(0x0D)
                case UInt8(ascii: "t"): unescaped.append(0x09)
                case UInt8(ascii: "u"): unescaped.append(contentsOf: try unicodeEscape())
                default:
                    offset -= 1
                    throw failure("unknown escape in a string")
                }
            default:
                if byte < 0x20 { throw failure("a control character must be escaped in a string") }
                unescaped.append(byte)
                offset += 1
            }
        }
        throw failure("the text ends inside a string")
    }

    /// `\uXXXX` (offset just past the `u`), with a following low surrogate when it starts a pair.
    private mutating func unicodeEscape() throws -> String.UTF8View {
        let first = try hexQuad()
        var scalar: Unicode.Scalar?
        if (0xD800..<0xDC00).contains(first) {
            guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
            else {
                throw failure("a high surrogate escape must be followed by a low one")
            }
            offset += 2
            let second = try hexQuad()
            guard (0xDC00..<0xE000).contains(second) else {
                throw failure("a high surrogate escape must be followed by a low one")
            }
            scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        } else {
            scalar = Unicode.Scalar(first)
        }
        guard let scalar else { throw failure("a lone low surrogate escape") }
        return String(Character(scalar)).utf8
    }

    private mutating func hexQuad() throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw failure("\\u needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("\\u needs four hex digits")
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    private func decoded(_ utf8: UnsafeBufferPointer<UInt8>, from start: Int) throws -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw JSONSyntaxError(offset: start, message: "a string is not valid UTF-8")
        }
        return text
    }

    private mutating func parseNumber() throws -> Double {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        func digits() -> Int {
            let first = offset
            while offset < bytes.count, bytes[offset] >= UInt8(ascii: "0"), bytes[offset] <= UInt8(ascii: "9") {
                offset += 1
            }
            return offset - first
        }
        let integerStart = offset
        let integerDigits = digits()
        guard integerDigits > 0 else { throw JSONSyntaxError(offset: start, message: "a number needs digits") }
        if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") {
            throw JSONSyntaxError(offset: start, message: "a number may not start with 0")
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits() > 0 else {
                throw JSONSyntaxError(offset: start, message: "a decimal point needs digits after it")
            }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            guard digits() > 0 else { throw JSONSyntaxError(offset: start, message: "an exponent needs digits") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONSyntaxError(offset: start, message: "the number is out of range")
        }
        return value
    }
}

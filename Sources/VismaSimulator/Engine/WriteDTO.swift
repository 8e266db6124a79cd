import FlexyVismaCore
import Foundation

/// Reads a Visma write DTO ("UpdateDto"), where every scalar must be wrapped as `{"value": …}`.
///
/// Field names are checked against the DTO's known fields: a field Visma does not have (a typo
/// in our payload) is refused rather than silently ignored.
struct WriteDTO {
    let name: String
    let members: [String: JSONValue]

    init(_ body: JSONValue, dto: String, wrapped: Set<String>, bare: Set<String> = [], lines: Set<String> = []) throws {
        guard let members = body.objectValue else {
            throw VismaError.notRecognized(dto, "The body is not a JSON object.")
        }
        for (key, value) in members {
            if wrapped.contains(key) {
                guard let object = value.objectValue, object.keys.contains("value"), object.count == 1 else {
                    throw VismaError.notRecognized(dto, "Field '\(key)' must be an object {\"value\": …}.")
                }
            } else if lines.contains(key) {
                guard value.arrayValue != nil || value == .null else {
                    throw VismaError.notRecognized(dto, "Field '\(key)' must be an array.")
                }
            } else if !bare.contains(key) {
                throw VismaError.notRecognized(dto, "Unknown field '\(key)'.")
            }
        }
        self.name = dto
        self.members = members
    }

    func has(_ key: String) -> Bool { members[key] != nil && members[key]?["value"] != .null }

    func string(_ key: String) throws -> String? {
        guard let inner = members[key]?["value"], inner != .null else { return nil }
        guard let text = inner.stringValue else {
            throw VismaError.notRecognized(name, "Field '\(key)' must hold a string.")
        }
        return text
    }

    func requiredString(_ key: String, _ label: String) throws -> String {
        guard let text = try string(key)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            throw VismaError.badRequest("Error: '\(label)' cannot be empty.")
        }
        return text
    }

    func number(_ key: String) throws -> Double? {
        guard let inner = members[key]?["value"], inner != .null else { return nil }
        guard let value = inner.numberValue else {
            throw VismaError.notRecognized(name, "Field '\(key)' must hold a number.")
        }
        return value
    }

    func bool(_ key: String) throws -> Bool? {
        guard let inner = members[key]?["value"], inner != .null else { return nil }
        guard let value = inner.boolValue else {
            throw VismaError.notRecognized(name, "Field '\(key)' must hold true or false.")
        }
        return value
    }

    func bareBool(_ key: String) throws -> Bool? {
        guard let value = members[key], value != .null else { return nil }
        guard let flag = value.boolValue else {
            throw VismaError.notRecognized(name, "Field '\(key)' must be true or false.")
        }
        return flag
    }

    func enumeration(_ key: String, _ allowed: [String]) throws -> String? {
        guard let text = try string(key) else { return nil }
        guard allowed.contains(text) else {
            throw VismaError.notRecognized(
                name, "'\(text)' is not a valid value for '\(key)' (\(allowed.joined(separator: ", "))).")
        }
        return text
    }

    /// A wrapped nested object (an address or contact), itself a write DTO.
    func nested(_ key: String, dto: String, wrapped: Set<String>) throws -> WriteDTO? {
        guard let inner = members[key]?["value"], inner != .null else { return nil }
        return try WriteDTO(inner, dto: dto, wrapped: wrapped)
    }

    /// Line objects of an array field, each a write DTO with a bare `operation`.
    func lines(_ key: String, dto: String, wrapped: Set<String>, bare: Set<String> = ["operation"]) throws -> [WriteDTO]
    {
        guard let array = members[key]?.arrayValue else { return [] }
        return try array.map { line in
            let parsed = try WriteDTO(line, dto: dto, wrapped: wrapped, bare: bare)
            if let operation = parsed.members["operation"] {
                guard let text = operation.stringValue, ["Insert", "Update", "Delete"].contains(text) else {
                    throw VismaError.notRecognized(dto, "'operation' must be Insert, Update or Delete.")
                }
            }
            return parsed
        }
    }
}

/// Visma money: a double on the wire, kept here in øre, exact.
func ore(_ value: Double) -> Int64 { Int64((value * 100).rounded()) }

/// Øre back to the double Visma's read DTOs carry.
func amount(_ ore: Int64) -> JSONValue { .number(Double(ore) / 100) }

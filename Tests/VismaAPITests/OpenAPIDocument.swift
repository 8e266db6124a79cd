import FlexyVismaCore
import Foundation

/// Visma's official OpenAPI document, read for the schemas our DTOs must fit.
struct OpenAPIDocument {
    let paths: [String: JSONValue]
    let schemas: [String: JSONValue]

    init(url: URL) throws {
        let root = try JSONValue.parse(try Data(contentsOf: url))
        paths = root["paths"]?.objectValue ?? [:]
        schemas = root["components"]?["schemas"]?.objectValue ?? [:]
    }

    /// The schema a `$ref` chain ends at, with the properties of `allOf` parts merged in.
    func resolve(_ schema: JSONValue) -> JSONValue {
        var schema = schema
        var seen = Set<String>()
        while let reference = schema["$ref"]?.stringValue,
            let name = reference.split(separator: "/").last.map(String.init),
            seen.insert(name).inserted, let target = schemas[name]
        {
            schema = target
        }
        guard let parts = schema["allOf"]?.arrayValue, var merged = schema.objectValue else { return schema }
        var properties = schema["properties"]?.objectValue ?? [:]
        for part in parts {
            properties.merge(resolve(part)["properties"]?.objectValue ?? [:]) { own, _ in own }
        }
        merged["properties"] = .object(properties)
        merged["allOf"] = nil
        return .object(merged)
    }

    func properties(of schema: JSONValue) -> [String: JSONValue] { resolve(schema)["properties"]?.objectValue ?? [:] }

    /// A `{"value": …}` wrapper (`DtoValueOf…`, `…In…Dto`): an object whose only property is `value`.
    func isWrapper(_ schema: JSONValue) -> Bool { Set(properties(of: schema).keys) == ["value"] }

    /// The operation of a path template (as the document spells it) and method.
    func operation(_ method: String, _ template: String) -> JSONValue? { paths[template]?[method.lowercased()] }

    /// The name of the schema an operation's JSON request body refers to.
    func requestSchemaName(_ method: String, _ template: String) -> String? {
        operation(method, template)?["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.stringValue
            .flatMap { $0.split(separator: "/").last.map(String.init) }
    }

    /// The name of the schema of a 200 answer, or of its elements when it is a list.
    func responseSchemaName(_ method: String, _ template: String) -> String? {
        let schema = operation(method, template)?["responses"]?["200"]?["content"]?["application/json"]?["schema"]
        return (schema?["$ref"] ?? schema?["items"]?["$ref"])?.stringValue.flatMap {
            $0.split(separator: "/").last.map(String.init)
        }
    }

    /// What in `instance` does not fit `schema`: undeclared keys, wrapping that differs from the
    /// document's, scalars of the wrong type or outside an enum; one sentence each.
    func problems(_ instance: JSONValue, _ schema: JSONValue, at path: String) -> [String] {
        let schema = resolve(schema)
        let type = schema["type"]?.stringValue
        switch instance {
        case .object(let members):
            let declared = properties(of: schema)
            if declared.isEmpty { return ["\(path) is an object, but its schema declares no properties"] }
            var found: [String] = []
            for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                let here = "\(path).\(key)"
                guard let property = declared[key] else {
                    found.append("\(here) is not a property of the official schema")
                    continue
                }
                let wrapper = isWrapper(property)
                if case .object(let inner) = value, inner.count == 1, let wrapped = inner["value"] {
                    if wrapper, let valueSchema = properties(of: property)["value"] {
                        found += problems(wrapped, valueSchema, at: "\(here).value")
                    } else {
                        found.append(
                            "\(here) is sent as {\"value\": …}, but the document's schema for it is no wrapper")
                    }
                } else if wrapper {
                    found.append("\(here) is sent bare, but the document wraps it in {\"value\": …}")
                } else {
                    found += problems(value, property, at: here)
                }
            }
            return found
        case .array(let elements):
            guard let items = schema["items"] else { return ["\(path) is an array, but its schema is not"] }
            return elements.enumerated().flatMap { index, element in problems(element, items, at: "\(path)[\(index)]") }
        case .string(let text):
            if let type, type != "string" { return ["\(path) is a string, but the schema says \(type)"] }
            if let allowed = schema["enum"]?.arrayValue?.compactMap(\.stringValue), !allowed.contains(text) {
                return ["\(path) is \(text), not one of \(allowed.joined(separator: ", "))"]
            }
            return []
        case .number(let number):
            if type == "integer", number.rounded() != number {
                return ["\(path) is \(number), but the schema says integer"]
            }
            if let type, type != "number", type != "integer" {
                return ["\(path) is a number, but the schema says \(type)"]
            }
            return []
        case .bool:
            if let type, type != "boolean" { return ["\(path) is a boolean, but the schema says \(type)"] }
            return []
        case .null:
            return ["\(path) is null"]
        }
    }
}

import Foundation

/// Decodes a JSON document into a `Decodable` type and refuses every key the type does not read.
///
/// Driven by the types alone: whatever a type's `init(from:)` asks for (`decodeIfPresent` too) is a
/// known key of that object, and any other key of an object the types opened is refused — at
/// every depth, inside dictionary values as well — with the known keys and the nearest of them.
public enum StrictJSONDecoder {
    /// What the types read, by JSON path: the keys each object was asked for, and the allowed values
    /// of every `ConfigurationChoice`. The schema test checks `Schemas/config.schema.json` against it.
    public struct Reading: Sendable {
        /// Every key asked for, by the path of its object.
        public var keys: [String: Set<String>]
        /// The keys asked for only if present (optional settings), by the path of their object.
        public var optionalKeys: [String: Set<String>]
        /// The allowed values of each closed-set setting, by its path.
        public var choices: [String: [String]]
        let objects: [[ConfigurationPath.Step]: Set<String>]
    }

    public static func decode<T: Decodable>(_ type: T.Type, from json: JSONValue) throws(ConfigurationProblems) -> T {
        try decodeReading(type, from: json).value
    }

    /// Decodes, and tells what the types read.
    public static func decodeReading<T: Decodable>(
        _ type: T.Type, from json: JSONValue
    ) throws(ConfigurationProblems) -> (value: T, reading: Reading) {
        let ledger = Ledger()
        let value: T
        do {
            value = try T(from: Node(value: json, codingPath: [], ledger: ledger))
        } catch let problem as ConfigurationProblem {
            throw ConfigurationProblems([problem])
        } catch let error as DecodingError {
            throw ConfigurationProblems([ConfigurationProblem(path: "", message: error.plainDescription)])
        } catch {
            throw ConfigurationProblems([ConfigurationProblem(path: "", message: "\(error)")])
        }
        var unknown: [ConfigurationProblem] = []
        for (steps, object) in ledger.objects {
            let known = object.asked.sorted()
            for key in object.present.subtracting(object.asked).sorted() {
                unknown.append(
                    ConfigurationProblem(
                        path: ConfigurationPath.text(steps + [.key(key)]),
                        message:
                            "unknown key; \(steps.isEmpty ? "the top level" : ConfigurationPath.text(steps)) takes "
                            + "\(known.joined(separator: ", "))\(NearestName.didYouMean(key, in: known))"))
            }
        }
        guard unknown.isEmpty else { throw ConfigurationProblems(unknown.sorted { $0.path < $1.path }) }
        let reading = Reading(
            keys: Dictionary(
                uniqueKeysWithValues: ledger.objects.map { (ConfigurationPath.text($0.key), $0.value.asked) }),
            optionalKeys: Dictionary(
                uniqueKeysWithValues: ledger.objects.map { (ConfigurationPath.text($0.key), $0.value.optional) }),
            choices: Dictionary(
                uniqueKeysWithValues: ledger.choices.map { (ConfigurationPath.text($0.key), $0.value) }),
            objects: ledger.objects.mapValues(\.asked))
        return (value, reading)
    }
}

/// What the types asked of each object while decoding one document.
private final class Ledger {
    struct Object {
        var present: Set<String>
        var asked: Set<String> = []
        var optional: Set<String> = []
    }
    var objects: [[ConfigurationPath.Step]: Object] = [:]
    var choices: [[ConfigurationPath.Step]: [String]] = [:]

    func open(_ steps: [ConfigurationPath.Step], present: some Sequence<String>) {
        if objects[steps] == nil { objects[steps] = Object(present: Set(present)) }
    }

    func ask(_ steps: [ConfigurationPath.Step], _ key: String, optional: Bool) {
        objects[steps]?.asked.insert(key)
        if optional { objects[steps]?.optional.insert(key) }
    }
}

/// One JSON value being decoded: decoder and single-value container at once.
private struct Node: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let ledger: Ledger

    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var steps: [ConfigurationPath.Step] { codingPath.map(ConfigurationPath.Step.init) }

    func child(_ value: JSONValue, _ key: any CodingKey) -> Node {
        Node(value: value, codingPath: codingPath + [key], ledger: ledger)
    }

    func problem(_ message: String) -> ConfigurationProblem { ConfigurationProblem(at: codingPath, message) }

    func mismatch(_ expected: String) -> ConfigurationProblem {
        let found: String
        switch value {
        case .null: found = "null"
        case .bool(let flag): found = "\(flag)"
        case .number(let number): found = "the number \(Int64(exactly: number).map(String.init) ?? "\(number)")"
        case .string(let text): found = "the text '\(text)'"
        case .array: found = "a list"
        case .object: found = "an object"
        }
        return problem("expected \(expected), found \(found)")
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch("an object") }
        ledger.open(steps, present: members.keys)
        return KeyedDecodingContainer(ObjectReader<Key>(node: self, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch("a list") }
        return ListReader(node: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch("true or false") }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = value else { throw mismatch("text in quotes") }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard case .number(let number) = value else { throw mismatch("a number") }
        return number
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer() }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let choice = T.self as? any ConfigurationChoice.Type { ledger.choices[steps] = choice.allowedValues }
        return try T(from: self)
    }

    private func integer<I: FixedWidthInteger>() throws -> I {
        guard case .number(let number) = value, let integer = I(exactly: number) else {
            throw mismatch("a whole number")
        }
        return integer
    }
}

/// The members of one JSON object, read under a type's coding keys.
private struct ObjectReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let node: Node
    let members: [String: JSONValue]

    var codingPath: [any CodingKey] { node.codingPath }
    var allKeys: [Key] { members.keys.sorted().compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool {
        node.ledger.ask(node.steps, key.stringValue, optional: true)
        return members[key.stringValue] != nil
    }

    private func child(_ key: Key) throws -> Node {
        node.ledger.ask(node.steps, key.stringValue, optional: false)
        guard let value = members[key.stringValue] else {
            let misspelt = NearestName.nearest(
                to: key.stringValue, in: members.keys.filter { Key(stringValue: $0) == nil })
            throw ConfigurationProblem(
                at: codingPath + [key],
                "missing\(misspelt.map { " — is '\($0)' meant to be '\(key.stringValue)'?" } ?? "")")
        }
        return node.child(value, key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder {
        guard let key = Key(stringValue: "super") else { throw node.problem("has no 'super' key") }
        return try child(key)
    }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

/// The elements of one JSON list, read in order.
private struct ListReader: UnkeyedDecodingContainer {
    let node: Node
    let elements: [JSONValue]
    var currentIndex = 0

    init(node: Node, elements: [JSONValue]) {
        self.node = node
        self.elements = elements
    }

    var codingPath: [any CodingKey] { node.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> Node {
        guard !isAtEnd else { throw node.problem("the list ends before entry \(currentIndex + 1)") }
        defer { currentIndex += 1 }
        return node.child(elements[currentIndex], ListIndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try next().decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next().decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next().decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next().decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next().decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().decode(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

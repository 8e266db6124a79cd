/// A problem libxml2 found in an XML file: not well-formed, or not valid against the schema.
public struct XMLIssue: Sendable, Equatable, CustomStringConvertible {
    /// The rule ids of XML reading (this module does not see FlexyVismaCore's `RuleCatalog`, which it mirrors).
    public enum Kind: String, Sendable, CaseIterable {
        case syntax = "xml.syntax"
        case schema = "xml.schema"
        case refused = "xml.doctype"

        public static let title = "Reading XML"

        public var meaning: String {
            switch self {
            case .syntax: "the file is not well-formed XML (cut off, edited by hand, a bare `&`), or empty"
            case .schema: "well-formed, but `Schemas/<type>.xsd` does not allow the element or value"
            case .refused: "a DOCTYPE or entity reference: refused, never expanded or fetched"
            }
        }
    }

    /// The stable rule id reported for this issue.
    public var rule: String { kind.rawValue }

    public var kind: Kind
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(kind: Kind, file: String, line: Int, column: Int, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// The schema or the file could not be opened at all.
public struct XMLSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

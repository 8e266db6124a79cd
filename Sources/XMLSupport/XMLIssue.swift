/// A problem libxml2 found in an XML file: not well-formed, or not valid against the schema.
public struct XMLIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Not well-formed XML.
        case syntax
        /// Well-formed, but the XSD does not allow it.
        case schema
        /// A DOCTYPE or entity reference: refused, never expanded or fetched.
        case refused
    }

    /// The stable rule id reported for this issue.
    public var rule: String {
        switch kind {
        case .syntax: "xml.syntax"
        case .schema: "xml.schema"
        case .refused: "xml.doctype"
        }
    }

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

internal import CLibXML2

/// A compiled XSD, shared read-only by any number of readers.
///
/// libxml2 never mutates a parsed `xmlSchema`; every reader gets its own validation context.
public final class XMLSchema: @unchecked Sendable {
    let pointer: xmlSchemaPtr
    public let path: String

    /// Compiles the XSD at `path`; network access is off, so imports cannot reach out.
    public init(path: String) throws {
        XMLLibrary.initializeOnce()
        guard let parserContext = xmlSchemaNewParserCtxt(path) else {
            throw XMLSetupError(path: path, message: "cannot open the schema")
        }
        defer { xmlSchemaFreeParserCtxt(parserContext) }
        let collector = IssueCollector(file: path, kind: .schema)
        xmlSchemaSetParserStructuredErrors(parserContext, IssueCollector.handler, collector.opaque)
        guard let schema = xmlSchemaParse(parserContext) else {
            let reason = collector.issues.first?.message ?? "the schema does not compile"
            throw XMLSetupError(path: path, message: reason)
        }
        self.pointer = schema
        self.path = path
    }

    deinit { xmlSchemaFree(pointer) }

    /// Validates a whole file in one streaming pass; returns every issue found (empty: valid).
    public func validate(file path: String) throws -> [XMLIssue] {
        let reader = try XMLStreamReader(path: path, schema: self)
        while reader.next() != nil {}
        return reader.issues
    }
}

enum XMLLibrary {
    /// libxml2 wants one initialisation before concurrent use; Swift runs a static's initialiser once.
    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    static func initializeOnce() { _ = initialized }
}

/// Receives libxml2's structured errors through a C callback and keeps them as `XMLIssue`s.
final class IssueCollector {
    let file: String
    let kind: XMLIssue.Kind
    var issues: [XMLIssue] = []
    /// Cap on what one file can report, so a file of a million bad lines cannot exhaust memory.
    let limit = 1000
    var overflowed = false

    init(file: String, kind: XMLIssue.Kind) {
        self.file = file
        self.kind = kind
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    func record(kind: XMLIssue.Kind, line: Int, column: Int, message: String) {
        guard issues.count < limit else {
            overflowed = true
            return
        }
        issues.append(XMLIssue(kind: kind, file: file, line: line, column: column, message: message))
    }

    static let handler: xmlStructuredErrorFunc = { context, error in
        guard let context, let error else { return }
        let collector = Unmanaged<IssueCollector>.fromOpaque(context).takeUnretainedValue()
        let raw = error.pointee
        var message = raw.message.map { String(cString: $0) } ?? "unknown XML error"
        while message.last == "\n" || message.last == " " { message.removeLast() }
        let kind: XMLIssue.Kind = raw.domain == Int32(XML_FROM_SCHEMASV.rawValue) ? .schema : .syntax
        collector.record(kind: kind, line: Int(raw.line), column: Int(raw.int2), message: message)
    }
}

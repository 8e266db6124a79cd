internal import CLibXML2

/// One element start or end as the stream reader meets it.
public enum XMLEvent: Sendable, Equatable {
    case start(XMLElement)
    case end(name: String)
}

/// An element's name, namespace, attributes and line (libxml2 keeps no column for nodes: 0).
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var namespace: String?
    public var attributes: [String: String]
    public var line: Int
    public var column: Int

    public subscript(attribute: String) -> String? { attributes[attribute] }
}

/// Reads an XML file element by element with libxml2's text reader, validating against an XSD
/// as it goes. Memory stays flat whatever the file size.
///
/// Hostile input is refused, not expanded: no network (`XML_PARSE_NONET`), no DTD loading, no
/// entity substitution, and any `<!DOCTYPE` is an error — the drop formats never need one.
public final class XMLStreamReader {
    private let reader: xmlTextReaderPtr
    private let validation: xmlSchemaValidCtxtPtr?
    private let collector: IssueCollector
    private var finished = false
    public let path: String

    public init(path: String, schema: XMLSchema? = nil) throws {
        XMLLibrary.initializeOnce()
        let doctypeLine = PrologScan.doctypeLine(path: path)
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_BIG_LINES.rawValue)
        guard let reader = xmlReaderForFile(path, nil, options) else {
            throw XMLSetupError(path: path, message: "cannot open the file")
        }
        self.reader = reader
        self.path = path
        self.collector = IssueCollector(file: path, kind: .syntax)
        xmlTextReaderSetStructuredErrorHandler(reader, IssueCollector.handler, collector.opaque)
        if let schema {
            guard let validation = xmlSchemaNewValidCtxt(schema.pointer) else {
                xmlFreeTextReader(reader)
                throw XMLSetupError(path: schema.path, message: "cannot create a validation context")
            }
            xmlSchemaSetValidStructuredErrors(validation, IssueCollector.handler, collector.opaque)
            guard xmlTextReaderSchemaValidateCtxt(reader, validation, 0) == 0 else {
                xmlSchemaFreeValidCtxt(validation)
                xmlFreeTextReader(reader)
                throw XMLSetupError(path: schema.path, message: "cannot attach the schema to the reader")
            }
            self.validation = validation
        } else {
            self.validation = nil
        }
        if let doctypeLine {
            collector.record(
                kind: .refused, line: doctypeLine, column: 0,
                message: "a <!DOCTYPE> declaration is not allowed in a drop file; entities are never expanded or fetched")
            finished = true
        }
    }

    deinit {
        xmlFreeTextReader(reader)
        if let validation { xmlSchemaFreeValidCtxt(validation) }
    }

    /// Everything libxml2 reported so far (syntax and schema), in file order.
    public var issues: [XMLIssue] { collector.issues }

    /// True when more issues were found than are kept.
    public var issuesTruncated: Bool { collector.overflowed }

    /// The next element start or end, or nil at the end of the file or after a fatal syntax error.
    public func next() throws -> XMLEvent? {
        if let name = pendingEnd {
            pendingEnd = nil
            return .end(name: name)
        }
        while !finished {
            let status = xmlTextReaderRead(reader)
            if status != 1 {
                finished = true
                if status < 0, collector.issues.isEmpty {
                    collector.record(
                        kind: .syntax, line: Int(xmlTextReaderGetParserLineNumber(reader)),
                        column: Int(xmlTextReaderGetParserColumnNumber(reader)), message: "the file is not well-formed XML")
                }
                return nil
            }
            switch xmlTextReaderNodeType(reader) {
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                let element = currentElement()
                if xmlTextReaderIsEmptyElement(reader) == 1 {
                    pendingEnd = element.name
                }
                return .start(element)
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                return .end(name: string(xmlTextReaderConstLocalName(reader)) ?? "")
            case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue):
                // Past the prolog scan's byte limit: refused all the same.
                collector.record(
                    kind: .refused, line: Int(xmlTextReaderGetParserLineNumber(reader)), column: 0,
                    message: "a <!DOCTYPE> declaration is not allowed in a drop file; entities are never expanded or fetched")
                finished = true
                return nil
            case Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue):
                collector.record(
                    kind: .refused, line: Int(xmlTextReaderGetParserLineNumber(reader)),
                    column: Int(xmlTextReaderGetParserColumnNumber(reader)),
                    message: "entity references are not allowed in a drop file")
                finished = true
                return nil
            default:
                continue
            }
        }
        return nil
    }

    /// An empty element (`<line/>`) has no end node; its end is reported on the next call.
    private var pendingEnd: String?

    private func currentElement() -> XMLElement {
        let name = string(xmlTextReaderConstLocalName(reader)) ?? ""
        let namespace = string(xmlTextReaderConstNamespaceUri(reader))
        // The node's own line: the parser's position may already be further on (it reads ahead).
        let node = xmlTextReaderCurrentNode(reader)
        let line = node.map { Int(xmlGetLineNo($0)) } ?? Int(xmlTextReaderGetParserLineNumber(reader))
        let column = 0
        var attributes: [String: String] = [:]
        if xmlTextReaderHasAttributes(reader) == 1 {
            while xmlTextReaderMoveToNextAttribute(reader) == 1 {
                let isNamespaceDeclaration = xmlTextReaderIsNamespaceDecl(reader) == 1
                if !isNamespaceDeclaration, let key = string(xmlTextReaderConstLocalName(reader)) {
                    attributes[key] = string(xmlTextReaderConstValue(reader)) ?? ""
                }
            }
            xmlTextReaderMoveToElement(reader)
        }
        return XMLElement(name: name, namespace: namespace, attributes: attributes, line: line, column: column)
    }

    private func string(_ pointer: UnsafePointer<xmlChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

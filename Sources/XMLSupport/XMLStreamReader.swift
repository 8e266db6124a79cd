internal import CLibXML2
import Glibc

/// One element start or end as the stream reader meets it.
public enum XMLEvent: Sendable, Equatable {
    case start(XMLElement)
    case end(name: String)
}

/// One attribute of an element, namespace declarations left out.
public struct XMLAttribute: Sendable, Equatable {
    public var name: String
    public var value: String
}

/// An element's local name, attributes and line (libxml2 keeps no column for nodes; the XSD
/// checks the namespace).
public struct XMLElement: Sendable, Equatable {
    public var name: String
    /// In document order. An array, not a dictionary: elements carry a handful of attributes, and
    /// hashing every name of every element cost more than libxml2's own parse of a large file.
    public var attributes: [XMLAttribute]
    public var line: Int

    public subscript(attribute: String) -> String? {
        attributes.first { $0.name == attribute }?.value
    }
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
                message:
                    "a <!DOCTYPE> declaration is not allowed in a drop file; entities are never expanded or fetched")
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
    public func next() -> XMLEvent? {
        if let name = pendingEnd {
            pendingEnd = nil
            return .end(name: name)
        }
        switch advance() {
        case .start(let isEmpty):
            let element = currentElement()
            if isEmpty { pendingEnd = element.name }
            return .start(element)
        case .end:
            let name = nameID(xmlTextReaderConstLocalName(reader))
            return .end(name: names[name])
        case nil:
            return nil
        }
    }

    /// An empty element (`<line/>`) has no end node; its end is reported on the next call.
    private var pendingEnd: String?

    /// Appends the next element start or end (with an empty element's end) to `chunk` as bytes,
    /// leaving the Swift strings to whoever reads the chunk. False at the end of the file.
    func read(into chunk: inout RawEventChunk) -> Bool {
        guard let node = advance() else { return false }
        let name = nameID(xmlTextReaderConstLocalName(reader), newNames: &chunk.newNames)
        let issueCount = collector.issues.count
        guard case .start(let isEmpty) = node else {
            chunk.entries.append(
                .init(name: name, line: 0, firstAttribute: 0, attributeCount: -1, issueCount: issueCount))
            return true
        }
        let element = xmlTextReaderCurrentNode(reader)
        let firstAttribute = chunk.attributes.count
        var attribute = element?.pointee.properties
        while let current = attribute {
            let valueStart = chunk.bytes.count
            Self.withValue(of: current) { value in
                chunk.bytes.append(contentsOf: UnsafeRawBufferPointer(start: value, count: strlen(value)))
            }
            chunk.attributes.append(
                .init(
                    name: nameID(current.pointee.name, newNames: &chunk.newNames), valueStart: valueStart,
                    valueEnd: chunk.bytes.count))
            attribute = current.pointee.next
        }
        chunk.entries.append(
            .init(
                name: name, line: line(of: element), firstAttribute: firstAttribute,
                attributeCount: chunk.attributes.count - firstAttribute, issueCount: issueCount))
        if isEmpty {
            chunk.entries.append(
                .init(name: name, line: 0, firstAttribute: 0, attributeCount: -1, issueCount: issueCount))
        }
        return true
    }

    private enum Node {
        case start(isEmpty: Bool)
        case end
    }

    /// Moves libxml2's reader to the next element start or end.
    private func advance() -> Node? {
        while !finished {
            let status = xmlTextReaderRead(reader)
            if status != 1 {
                finished = true
                if status < 0, collector.issues.isEmpty {
                    collector.record(
                        kind: .syntax, line: Int(xmlTextReaderGetParserLineNumber(reader)),
                        column: Int(xmlTextReaderGetParserColumnNumber(reader)),
                        message: "the file is not well-formed XML")
                }
                return nil
            }
            switch xmlTextReaderNodeType(reader) {
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                return .start(isEmpty: xmlTextReaderIsEmptyElement(reader) == 1)
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                return .end
            case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue):
                // Past the prolog scan's byte limit: refused all the same.
                collector.record(
                    kind: .refused, line: Int(xmlTextReaderGetParserLineNumber(reader)), column: 0,
                    message:
                        "a <!DOCTYPE> declaration is not allowed in a drop file; entities are never expanded or fetched"
                )
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

    /// Names libxml2 has interned in its dictionary, numbered by address: a large file repeats a
    /// dozen names millions of times, and each becomes a Swift string once.
    private var nameAddresses: [UnsafePointer<xmlChar>?] = []
    private var moreNameAddresses: [UnsafePointer<xmlChar>?: Int] = [:]
    private var names: [String] = []

    private func nameID(_ pointer: UnsafePointer<xmlChar>?) -> Int {
        var unused: [String] = []
        return nameID(pointer, newNames: &unused)
    }

    /// The number of the name at `pointer`; a name met for the first time is also added to `newNames`.
    private func nameID(_ pointer: UnsafePointer<xmlChar>?, newNames: inout [String]) -> Int {
        // A short list is searched fastest; a hostile file of endless new names goes to a dictionary.
        if let index = nameAddresses.firstIndex(of: pointer) { return index }
        if let index = moreNameAddresses[pointer] { return index }
        let name = pointer.map { String(cString: $0) } ?? ""
        if nameAddresses.count < 64 { nameAddresses.append(pointer) } else { moreNameAddresses[pointer] = names.count }
        names.append(name)
        newNames.append(name)
        return names.count - 1
    }

    /// The node's own line: the parser's position may already be further on (it reads ahead).
    private func line(of node: xmlNodePtr?) -> Int {
        node.map { Int(xmlGetLineNo($0)) } ?? Int(xmlTextReaderGetParserLineNumber(reader))
    }

    private func currentElement() -> XMLElement {
        let node = xmlTextReaderCurrentNode(reader)
        // The attribute list read straight from the node (namespace declarations live elsewhere):
        // a handful of libxml2 calls per attribute added up on a large file.
        var attributes: [XMLAttribute] = []
        var attribute = node?.pointee.properties
        while let current = attribute {
            let value = Self.withValue(of: current) { String(cString: $0) }
            let name = nameID(current.pointee.name)
            attributes.append(XMLAttribute(name: names[name], value: value))
            attribute = current.pointee.next
        }
        let name = nameID(xmlTextReaderConstLocalName(reader))
        return XMLElement(name: names[name], attributes: attributes, line: line(of: node))
    }

    /// Calls `body` with an attribute's text: its single text child, or libxml2's joined content
    /// when it has several.
    private static func withValue<Result>(of attribute: xmlAttrPtr, _ body: (UnsafePointer<CChar>) -> Result) -> Result
    {
        if let child = attribute.pointee.children, child.pointee.next == nil, child.pointee.type == XML_TEXT_NODE,
            let content = child.pointee.content
        {
            return content.withMemoryRebound(to: CChar.self, capacity: 1) { body($0) }
        }
        let joined = xmlNodeGetContent(UnsafeMutableRawPointer(attribute).assumingMemoryBound(to: xmlNode.self))
        defer { flexyvisma_xml_free(joined) }
        guard let joined else { return body("") }
        return joined.withMemoryRebound(to: CChar.self, capacity: 1) { body($0) }
    }
}

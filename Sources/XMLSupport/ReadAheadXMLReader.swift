/// Reads an XML file like `XMLStreamReader`, but parses and validates it on a second thread
/// while the caller handles the events already read.
///
/// On a large file libxml2's parse and XSD validation take about as long as the caller's business
/// rules; overlapping them keeps validation close to the time of the parse alone. The reading
/// thread hands over bytes, and the caller's thread makes the Swift strings, so the two halves
/// stay about even. The issues are those libxml2 had found when the current event was read,
/// exactly as with `XMLStreamReader`, so the caller can still tell which record an issue belongs to.
public final class ReadAheadXMLReader {
    /// Element starts and ends handed over at once; a few chunks in flight keep memory flat.
    static let chunkSize = 4096
    static let chunksInFlight = 4

    private let channel: ReadAheadChannel<RawEventChunk>
    private var chunk = RawEventChunk()
    private var position = 0
    private var names: [String] = []
    private var allIssues: [XMLIssue] = []
    private var visibleIssues = 0
    private var finished = false
    public private(set) var issuesTruncated = false
    public let path: String

    public init(path: String, schema: XMLSchema? = nil) throws {
        let reader = Handover(try XMLStreamReader(path: path, schema: schema))
        channel = ReadAheadChannel(label: "flexyvisma.xml-read-ahead", capacity: Self.chunksInFlight) { channel in
            Self.produce(reader: reader.value, into: channel)
        }
        self.path = path
    }

    deinit {
        if !finished { channel.cancel() }
    }

    /// What libxml2 had reported (syntax and schema) when the current event was read.
    public var issues: ArraySlice<XMLIssue> { allIssues[..<visibleIssues] }

    /// The next element start or end, or nil at the end of the file or after a fatal syntax error.
    public func next() -> XMLEvent? {
        while !finished {
            if position < chunk.entries.count {
                let entry = chunk.entries[position]
                position += 1
                visibleIssues = entry.issueCount
                return event(entry)
            }
            if chunk.isLast {
                finished = true
                visibleIssues = allIssues.count
                return nil
            }
            chunk = channel.receive()
            position = 0
            names.append(contentsOf: chunk.newNames)
            allIssues.append(contentsOf: chunk.newIssues)
            issuesTruncated = chunk.issuesTruncated
        }
        return nil
    }

    private func event(_ entry: RawEventChunk.Entry) -> XMLEvent {
        guard entry.attributeCount >= 0 else { return .end(name: names[entry.name]) }
        var attributes: [XMLAttribute] = []
        attributes.reserveCapacity(entry.attributeCount)
        for attribute in chunk.attributes[entry.firstAttribute..<entry.firstAttribute + entry.attributeCount] {
            let value = String(decoding: chunk.bytes[attribute.valueStart..<attribute.valueEnd], as: UTF8.self)
            attributes.append(XMLAttribute(name: names[attribute.name], value: value))
        }
        return .start(XMLElement(name: names[entry.name], attributes: attributes, line: entry.line))
    }

    private static func produce(reader: XMLStreamReader, into channel: ReadAheadChannel<RawEventChunk>) {
        var chunk = RawEventChunk()
        var handedOver = 0
        while true {
            let more = reader.read(into: &chunk)
            guard chunk.entries.count >= chunkSize || !more else { continue }
            let issues = reader.issues
            chunk.newIssues = Array(issues[handedOver...])
            chunk.issuesTruncated = reader.issuesTruncated
            chunk.isLast = !more
            handedOver = issues.count
            guard channel.send(chunk), more else { return }
            chunk = RawEventChunk()
        }
    }
}

/// Element starts and ends as libxml2 gave them, names numbered and attribute values as bytes.
struct RawEventChunk: Sendable {
    struct Entry: Sendable {
        var name: Int
        var line: Int
        var firstAttribute: Int
        /// -1 for an element's end.
        var attributeCount: Int
        /// How many issues libxml2 had reported when this event was read.
        var issueCount: Int
    }

    struct Attribute: Sendable {
        var name: Int
        var valueStart: Int
        var valueEnd: Int
    }

    var entries: [Entry] = []
    var attributes: [Attribute] = []
    var bytes: [UInt8] = []
    /// Names met for the first time in this chunk, numbered on from the earlier chunks'.
    var newNames: [String] = []
    var newIssues: [XMLIssue] = []
    var issuesTruncated = false
    var isLast = false
}

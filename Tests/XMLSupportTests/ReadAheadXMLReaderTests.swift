import Foundation
import TestSupport
import Testing
import XMLSupport

@Suite struct ReadAheadXMLReaderTests {
    /// Every event with the number of issues known when it was read: what a caller may rely on.
    private func steps(of path: String, schema: XMLSchema?) throws -> (plain: [String], readAhead: [String]) {
        let plain = try XMLStreamReader(path: path, schema: schema)
        var plainSteps: [String] = []
        while let event = plain.next() { plainSteps.append("\(event) issues=\(plain.issues.count)") }
        plainSteps.append("end issues=\(plain.issues.map(\.description))")
        let readAhead = try ReadAheadXMLReader(path: path, schema: schema)
        var readAheadSteps: [String] = []
        while let event = readAhead.next() { readAheadSteps.append("\(event) issues=\(readAhead.issues.count)") }
        readAheadSteps.append("end issues=\(readAhead.issues.map(\.description))")
        return (plainSteps, readAheadSteps)
    }

    @Test(arguments: [
        "receipts-schema-errors.xml", "receipts-not-well-formed.xml", "calculations-xxe.xml",
        "calculations-billion-laughs.xml",
    ])
    func invalidSampleReadsAheadExactlyAsTheStreamReader(name: String) throws {
        let file = Repository.invalidDrops.appendingPathComponent(name)
        let schemaName = name.hasPrefix("receipts") ? "receipts.xsd" : "calculations.xsd"
        let schema = try XMLSchema(path: Repository.schemas.appendingPathComponent(schemaName).path)
        let (plain, readAhead) = try steps(of: file.path, schema: schema)
        #expect(plain.last != "end issues=[]")
        #expect(readAhead == plain)
    }

    @Test func fileOfManyChunksWithAttributesAndLateIssuesReadsAheadExactly() throws {
        let folder = try TemporaryFolder()
        let file = folder.path("many.xml")
        var text = "<root>\n"
        for index in 0..<12_000 {
            // Non-ASCII values, an empty value, an escaped one; a wrong element late in the file.
            let element = index == 11_000 ? "wrong" : "line"
            text += "<\(element) number=\"\(index)\" name=\"Æblekage nr. \(index)\" empty=\"\" note=\"a &amp; b\"/>\n"
        }
        text += "</root>\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
        let schema = folder.path("many.xsd")
        try """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
          <xs:element name="root"><xs:complexType><xs:sequence>
            <xs:element name="line" maxOccurs="unbounded"><xs:complexType>
              <xs:attribute name="number" type="xs:int"/><xs:attribute name="name"/><xs:attribute name="empty"/><xs:attribute name="note"/>
            </xs:complexType></xs:element>
          </xs:sequence></xs:complexType></xs:element>
        </xs:schema>
        """.write(to: schema, atomically: true, encoding: .utf8)
        let (plain, readAhead) = try steps(of: file.path, schema: try XMLSchema(path: schema.path))
        #expect(plain.count == 2 * 12_000 + 2 + 1)  // the lines, the root, the closing summary
        #expect(plain.contains { $0.contains("Æblekage nr. 11999") && $0.contains("a & b") })
        #expect(plain.last?.contains("wrong") == true)
        #expect(readAhead == plain)
    }

    @Test func readerLeftHalfwayStopsItsThreadAndCanBeOpenedAgain() throws {
        let folder = try TemporaryFolder()
        let file = folder.path("long.xml")
        try ("<root>" + String(repeating: "<a x=\"1\"/>", count: 100_000) + "</root>").write(
            to: file, atomically: true, encoding: .utf8)
        for _ in 0..<20 {
            let reader = try ReadAheadXMLReader(path: file.path)
            #expect(reader.next() != nil)
        }
        let reader = try ReadAheadXMLReader(path: file.path)
        var count = 0
        while reader.next() != nil { count += 1 }
        #expect(count == 2 + 2 * 100_000)
    }
}

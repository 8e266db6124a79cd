import Foundation
import TestSupport
import Testing
import XMLSupport

@Suite struct XMLStreamReaderTests {
    @Test func emptyElementsReportAStartAndAnEnd() throws {
        let folder = try TemporaryFolder()
        let file = folder.path("small.xml")
        try #"<a x="1"><b y="&amp;2"/><c></c></a>"#.write(to: file, atomically: true, encoding: .utf8)
        let reader = try XMLStreamReader(path: file.path)
        var events: [String] = []
        while let event = reader.next() {
            switch event {
            case .start(let element):
                events.append("<\(element.name) \(element.attributes.map { "\($0.name)=\($0.value)" })")
            case .end(let name): events.append("</\(name)")
            }
        }
        #expect(events == [#"<a ["x=1"]"#, #"<b ["y=&2"]"#, "</b", "<c []", "</c", "</a"])
        #expect(reader.issues.isEmpty)
    }

    @Test func externalEntityIsRefusedAndNeverRead() throws {
        let folder = try TemporaryFolder()
        let secret = folder.path("secret.txt")
        try "TOP-SECRET".write(to: secret, atomically: true, encoding: .utf8)
        let file = folder.path("xxe.xml")
        try """
        <?xml version="1.0"?>
        <!DOCTYPE a [<!ENTITY s SYSTEM "file://\(secret.path)">]>
        <a>&s;</a>
        """.write(to: file, atomically: true, encoding: .utf8)
        let reader = try XMLStreamReader(path: file.path)
        var names: [String] = []
        while let event = reader.next() {
            if case .start(let element) = event { names.append(element.name) }
        }
        #expect(names.isEmpty)
        #expect(reader.issues.map(\.rule) == ["xml.doctype"])
        #expect(!reader.issues.description.contains("TOP-SECRET"))
    }

    @Test func truncatedFileIsASyntaxErrorWithItsLine() throws {
        let folder = try TemporaryFolder()
        let file = folder.path("cut.xml")
        try "<a>\n<b x=\"1\"/>\n<b x=".write(to: file, atomically: true, encoding: .utf8)
        let reader = try XMLStreamReader(path: file.path)
        while reader.next() != nil {}
        let first = try #require(reader.issues.first)
        #expect(first.rule == "xml.syntax")
        #expect(first.line == 3)
    }

    @Test func missingFileIsASetupError() {
        #expect(throws: XMLSetupError.self) { try XMLStreamReader(path: "/nonexistent/receipts.xml") }
    }

    @Test func brokenSchemaIsASetupErrorNamingTheSchema() throws {
        let folder = try TemporaryFolder()
        let file = folder.path("broken.xsd")
        try
            "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><xs:element name=\"a\" type=\"nope\"/></xs:schema>"
            .write(to: file, atomically: true, encoding: .utf8)
        let error = #expect(throws: XMLSetupError.self) { try XMLSchema(path: file.path) }
        #expect(error?.path == file.path)
    }
}

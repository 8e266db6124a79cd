import Foundation
import TestSupport
import Testing
import XMLSupport

/// The XSDs in `Schemas/` against the hand-written drops in `Samples/drops/`.
@Suite struct SampleDropSchemaTests {
    static func schema(for file: URL) throws -> XMLSchema {
        let type = file.lastPathComponent.split(separator: "-").first.map(String.init) ?? ""
        let name = type.hasSuffix(".xml") ? String(type.dropLast(4)) : type
        return try XMLSchema(path: Repository.schemas.appendingPathComponent("\(name).xsd").path)
    }

    static let validFiles = (try? Repository.files(in: Repository.validDrops, extensions: ["xml"])) ?? []
    static let invalidFiles = (try? Repository.files(in: Repository.invalidDrops, extensions: ["xml"])) ?? []

    @Test func samplesIncludeEveryXMLFileType() {
        let names = Self.validFiles.map(\.lastPathComponent)
        #expect(names.contains("calculations.xml"))
        #expect(names.contains("purchase_orders.xml"))
        #expect(names.contains("receipts.xml"))
        #expect(Self.invalidFiles.count >= 8)
    }

    @Test(arguments: validFiles)
    func validSampleDropPassesItsSchema(file: URL) throws {
        let issues = try Self.schema(for: file).validate(file: file.path)
        #expect(issues.isEmpty, "\(issues)")
    }

    /// Every `xml.*` finding written beside an invalid sample is reported at its line, and nothing
    /// else is: the business-rule findings are for the validate stage and must pass the XSD.
    @Test(arguments: invalidFiles)
    func invalidSampleDropFailsAtTheDocumentedLines(file: URL) throws {
        let expected = try ExpectedFinding.load(besides: file).filter { $0.rule.hasPrefix("xml.") }
        let issues = try Self.schema(for: file).validate(file: file.path)
        let reported = Set(issues.map { "\($0.line) \($0.rule)" })
        let documented = Set(expected.map { "\($0.line) \($0.rule)" })
        #expect(reported == documented, "\(file.lastPathComponent): reported \(issues)")
    }
}

import DropFormats
import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// `flexyvisma template`: what a person fills in and drops by hand is what validate accepts.
@Suite struct TemplateCommandTests {
    typealias OfflineRoot = CLIConventionsTests.OfflineRoot

    /// The Visma company the examples refer to: the sample company with the example's item, raw material,
    /// customer and supplier (items.csv's example brings its own item, so it is checked without them).
    static func reference(for type: DropFileType) throws -> ReferenceSnapshot {
        var reference = try SampleVisma.reference()
        guard type != .items else { return reference }
        reference.items += [
            ReferenceSnapshot.Item(
                number: DropTemplate.exampleProduct, itemClass: "IKKELAGER", stockItem: false, kitItem: true),
            ReferenceSnapshot.Item(
                number: DropTemplate.exampleRawMaterial, itemClass: "LAGER", stockItem: true, kitItem: false),
        ]
        reference.customers.append(ReferenceSnapshot.Customer(number: DropTemplate.exampleCustomer))
        reference.suppliers.append(
            ReferenceSnapshot.Supplier(number: "90001", name: DropTemplate.exampleSupplier, active: true))
        return reference
    }

    @Test(arguments: DropFileType.allCases)
    func eachTemplatesExampleIsAcceptedByTheRealValidateStage(_ type: DropFileType) throws {
        let venue = try OfflineRoot("template-\(type.rawValue)")
        let reference = try venue.writeReference(Self.reference(for: type))
        let drop = venue.root.inbox.appendingPathComponent("\(type.rawValue).\(type.fileExtension)")
        let written = try ChildProcess.run(
            ChildProcess.executable("flexyvisma"), ["template", type.rawValue, "--example", "--output", drop.path],
            environment: ["FLEXYVISMA_ROOT": venue.root.url.path])
        #expect(written.status == 0, "\(written)")
        let validated = try ChildProcess.run(
            ChildProcess.executable("flexyvisma-validate"),
            ["--root", venue.root.url.path, "--reference", reference.path])
        #expect(validated.status == 0, "\(type.rawValue): \(validated)")
        #expect(validated.standardOutput.contains("accepted"), "\(validated)")
        // Never over a file.
        let again = try ChildProcess.run(
            ChildProcess.executable("flexyvisma"),
            ["template", type.rawValue, "--output", reference.path, "--root", venue.root.url.path])
        #expect(again.status == 64, "\(again)")
    }

    @Test func aCSVTemplateIsDanishExcelWithTheSchemasHeader() throws {
        let venue = try OfflineRoot("template-dialect")
        let file = venue.folder.path("items.csv")
        let header = try ChildProcess.run(
            ChildProcess.executable("flexyvisma"),
            ["template", "items", "--root", venue.root.url.path, "--output", file.path])
        #expect(header.status == 0)
        let columns = try ColumnSchema.load(.items, from: SchemaDirectory(url: Repository.schemas)).columnNames
        #expect(
            try Data(contentsOf: file)
                == Data([0xEF, 0xBB, 0xBF] + Array((columns.joined(separator: ";") + "\r\n").utf8)))
        let example = try ChildProcess.run(
            ChildProcess.executable("flexyvisma"), ["template", "items", "--example", "--root", venue.root.url.path])
        #expect(example.standardOutput.contains(";25,00;10,00;"), "\(example)")
        let standard = try ChildProcess.run(
            ChildProcess.executable("flexyvisma"),
            ["template", "payments", "--example", "--dialect", "standard", "--root", venue.root.url.path])
        #expect(
            standard.standardOutput.hasPrefix("payment_id,date,") && standard.standardOutput.contains(",100.00,"),
            "\(standard)")
        let xml = try ChildProcess.run(
            ChildProcess.executable("flexyvisma"), ["template", "receipts", "--root", venue.root.url.path])
        #expect(xml.standardOutput.contains(#"<receipts xmlns="urn:flexyvisma:receipts:1" businessDay=""#), "\(xml)")
    }
}

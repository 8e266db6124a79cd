import DropFormats
import FlexyVismaCore
import Foundation
import TestSupport
import Testing

@Suite struct DropFileTypeTests {
    @Test func dropNamesMapToTheirType() {
        #expect(DropFileType(fileName: "items.csv") == .items)
        #expect(DropFileType(fileName: "payments-rettelse-28-11.csv") == .payments)
        #expect(DropFileType(fileName: "receipts-cafe-2026-11-28.xml") == .receipts)
        #expect(DropFileType(fileName: "purchase_orders.xml") == .purchaseOrders)
        #expect(DropFileType(fileName: "itemsx.csv") == nil)
        #expect(DropFileType(fileName: "items.xml") == nil)
        #expect(DropFileType(fileName: "notes.txt") == nil)
    }

    @Test(arguments: [DropFileType.items, .customers, .payments])
    func columnSchemaLoadsAndNamesItsKey(type: DropFileType) throws {
        let schema = try ColumnSchema.load(type, from: SchemaDirectory(url: Repository.schemas))
        #expect(schema.fileType == type.rawValue)
        #expect(schema.column(named: schema.keyColumn)?.unique == true)
        #expect(Set(schema.columnNames).count == schema.columns.count)
        for column in schema.columns {
            if let pattern = column.pattern { #expect((try? Regex(pattern)) != nil, "\(column.name)") }
            if let condition = column.requiredWhen { #expect(schema.column(named: condition.column) != nil) }
        }
    }

    /// Every valid sample CSV uses only columns its schema knows and carries every required column.
    @Test(arguments: (try? Repository.files(in: Repository.validDrops, extensions: ["csv"])) ?? [])
    func validSampleCSVHeaderFitsItsSchema(file: URL) throws {
        let type = try #require(DropFileType(fileName: file.lastPathComponent))
        let schema = try ColumnSchema.load(type, from: SchemaDirectory(url: Repository.schemas))
        let header = try #require(try CSVReader(url: file).next()).fields
        #expect(Set(header).isSubset(of: Set(schema.columnNames)), "\(header)")
        let required = schema.columns.filter(\.required).map(\.name)
        #expect(Set(required).isSubset(of: Set(header)))
    }

    @Test func schemaFolderIsFoundFromTheEnvironmentOrTheBuildFolder() throws {
        let fromEnvironment = try SchemaDirectory.locate(environment: ["FLEXYVISMA_SCHEMAS": Repository.schemas.path])
        #expect(fromEnvironment.url.path == Repository.schemas.path)
        let fromBuildFolder = try SchemaDirectory.locate(
            environment: [:], executable: Repository.root.appendingPathComponent(".build/debug/flexyvisma"))
        #expect(fromBuildFolder.url.standardizedFileURL.path == Repository.schemas.standardizedFileURL.path)
        #expect(throws: OperatorMessage.self) {
            try SchemaDirectory.locate(environment: ["FLEXYVISMA_SCHEMAS": "/nonexistent"])
        }
    }
}

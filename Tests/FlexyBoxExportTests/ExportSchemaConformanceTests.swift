import DropFormats
import FlexyBoxExport
import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import XMLSupport

/// Everything the export writes validates against `Schemas/`.
@Suite struct ExportSchemaConformanceTests {
    @Test func everyExportedXMLFileValidatesAgainstItsXSD() throws {
        let fixture = try ExportFixture()
        let batch = try #require(try fixture.export().batchFolder)
        let files = try Repository.files(in: batch, extensions: ["xml"])
        #expect(files.count >= 3)
        for file in files {
            let type = try #require(DropFileType(fileName: file.lastPathComponent))
            let schema = try XMLSchema(path: fixture.schemas.url(for: type).path)
            let issues = try schema.validate(file: file.path)
            #expect(issues.isEmpty, "\(file.lastPathComponent): \(issues)")
        }
    }

    @Test func everyExportedCSVFileHasItsSchemaColumnsAndValuesOfTheRightShape() throws {
        let fixture = try ExportFixture()
        let batch = try #require(try fixture.export().batchFolder)
        for file in try Repository.files(in: batch, extensions: ["csv"]) {
            let type = try #require(DropFileType(fileName: file.lastPathComponent))
            let schema = try ColumnSchema.load(type, from: fixture.schemas)
            let reader = try CSVReader(url: file)
            #expect(try reader.next()?.fields == schema.columnNames, "\(file.lastPathComponent)")
            while let row = try reader.next() {
                #expect(row.fields.count == schema.columns.count)
                for (column, value) in zip(schema.columns, row.fields) where !value.isEmpty {
                    if column.type == .decimal {
                        #expect(FixedPoint(parsing: value, scale: column.scale ?? 2) != nil, "\(column.name)=\(value)")
                    }
                    if let maxLength = column.maxLength { #expect(value.count <= maxLength, "\(column.name)=\(value)") }
                    if let values = column.values { #expect(values.contains(value)) }
                }
                let key = row.fields[schema.columnNames.firstIndex(of: schema.keyColumn) ?? 0]
                let pattern = try #require(schema.column(named: schema.keyColumn)?.pattern)
                #expect(key.wholeMatch(of: try Regex(pattern)) != nil, "\(key)")
            }
        }
    }

    /// The manifest is checked by a real JSON Schema implementation (Python's jsonschema,
    /// which Scripts/test installs), not by our own reading of the schema.
    @Test func exportManifestValidatesAgainstTheManifestSchema() throws {
        let fixture = try ExportFixture()
        let batch = try #require(try fixture.export().batchFolder)
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))), key=str)
            for error in errors: print(list(error.absolute_path), error.message)
            sys.exit(1 if errors else 0)
            """
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", "-c", script, fixture.schemas.manifestSchema.path,
                batch.appendingPathComponent("export.manifest.json").path,
            ])
        #expect(result.status == 0, "\(result)")
    }
}

/// The committed sample documents are exactly what the seeded generator writes.
@Suite struct SampleGeneratorTests {
    @Test func regeneratingTheSampleDocumentsGivesTheCommittedFileByteForByte() throws {
        let folder = try TemporaryFolder("generator")
        let output = folder.path("documents.sql")
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", Repository.root.appendingPathComponent("Scripts/generate-venue").path, "--documents-sql",
                output.path,
            ])
        #expect(result.status == 0, "\(result)")
        let committed = try Data(contentsOf: Repository.samples.appendingPathComponent("venue/documents.sql"))
        #expect(try Data(contentsOf: output) == committed)
    }
}

import DropFormats
import FlexyBoxExport
import FlexyVismaCore
import Foundation
import TestSupport

/// A pipeline root with the sample venue's source database, for export tests.
struct ExportFixture {
    let folder: TemporaryFolder
    let root: PipelineRoot
    let configuration: PipelineConfiguration
    let schemas = SchemaDirectory(url: Repository.schemas)

    /// 29 Nov 2026 noon in Copenhagen: "yesterday" is the sample's last day, 28 Nov.
    static let afterSampleWeek = Date(timeIntervalSince1970: 1_795_950_000)

    init() throws {
        folder = try TemporaryFolder("flexyvisma-export")
        root = PipelineRoot(folder.url)
        for url in root.folders { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        configuration = PipelineConfiguration.sampleVenue(sourcePath: "source/flexybox.sqlite")
        try configuration.encoded().write(to: root.configFile)
        try Repository.buildSampleVenue(at: sourceURL)
    }

    var sourceURL: URL { root.resolve("source/flexybox.sqlite") }

    func export(
        _ selection: DaySelection = .sinceLast, force: Bool = false, now: Date = afterSampleWeek
    ) throws -> ExportOutcome {
        try FlexyBoxExporter(
            ExportRequest(
                root: root, configuration: configuration, schemas: schemas, selection: selection, force: force,
                now: now, fault: nil)
        ).run()
    }

    static func day(_ text: String) -> BusinessDay {
        BusinessDay(text) ?? BusinessDay(date: Date(), timeZone: .current)
    }
}

/// Reads a CSV drop back as dictionaries keyed by column name.
func readCSV(_ url: URL) throws -> [[String: String]] {
    let reader = try CSVReader(url: url)
    guard let header = try reader.next()?.fields else { return [] }
    var records: [[String: String]] = []
    while let row = try reader.next() {
        records.append(Dictionary(uniqueKeysWithValues: zip(header, row.fields)))
    }
    return records
}

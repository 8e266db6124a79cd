import DropFormats
import FlexyVismaCore
import Foundation
import GRDB

/// Receipts files as the export would write them, into a folder of the caller's: for previews.
///
/// Reads the FlexyBox source only. Nothing under the root changes: no batch, no watermark, no
/// exported day, so a preview before go-live leaves the first night exactly as it would have been.
public enum ScratchExport {
    /// The days the next nightly export takes: after the last exported day (or from the source's first
    /// day) through yesterday in the venue's time zone.
    public static func nextNightDays(
        root: PipelineRoot, configuration: PipelineConfiguration, now: Date = Date()
    ) throws -> [BusinessDay] {
        let source = try SourceDatabase(url: root.resolve(try sourcePath(configuration, root: root)))
        let yesterday = BusinessDay.yesterday(at: now, in: configuration.timeZone)
        let first: BusinessDay
        if let last = try ExportState.load(from: root).lastExportedDay {
            first = last.adding(days: 1)
        } else {
            guard let earliest = try source.earliestBusinessDay() else { return [] }
            first = earliest
        }
        return BusinessDay.range(from: first, through: yesterday)
    }

    /// Writes one `receipts-<department>-<day>.xml` per department with sales on each day into `folder`.
    public static func receiptsFiles(
        days: [BusinessDay], root: PipelineRoot, configuration: PipelineConfiguration, schemas: SchemaDirectory,
        into folder: URL
    ) throws -> [URL] {
        let source = try SourceDatabase(url: root.resolve(try sourcePath(configuration, root: root)))
        return try source.read { db in
            var names: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT code, name FROM departments ORDER BY code") {
                names[row["code"] ?? ""] = row["name"] ?? ""
            }
            let writers = DropFileWriters(schemas: schemas, departmentNames: names)
            var files: [URL] = []
            for day in days {
                for code in names.keys.sorted() {
                    guard let written = try writers.writeReceipts(db, day: day, departmentCode: code, folder: folder)
                    else { continue }
                    files.append(folder.appendingPathComponent(written.fileName))
                }
            }
            return files
        }
    }

    private static func sourcePath(_ configuration: PipelineConfiguration, root: PipelineRoot) throws -> String {
        guard let settings = configuration.source else {
            throw OperatorMessage(
                .configuration, "\(root.configFile.path) configures no source: nothing to read from FlexyBox")
        }
        return settings.path
    }
}

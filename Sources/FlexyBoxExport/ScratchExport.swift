import DropFormats
import FlexyVismaCore
import Foundation

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
        return try ExportState.load(from: root).nightDays(source: source, now: now, timeZone: configuration.timeZone)
    }

    /// Writes one `receipts-<department>-<day>.xml` per department with sales on each day into `folder`.
    public static func receiptsFiles(
        days: [BusinessDay], root: PipelineRoot, configuration: PipelineConfiguration, schemas: SchemaDirectory,
        into folder: URL
    ) throws -> [URL] {
        let source = try SourceDatabase(url: root.resolve(try sourcePath(configuration, root: root)))
        return try source.read { db in
            try DropFileWriters(reading: db, schemas: schemas).writeReceipts(db, days: days, folder: folder)
                .map { folder.appendingPathComponent($0.fileName) }
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

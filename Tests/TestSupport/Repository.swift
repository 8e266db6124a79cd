import FlexyVismaCore
import Foundation
import GRDB

/// Paths in this repository, found from this source file's location.
public enum Repository {
    public static let root: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder
            }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    public static var schemas: URL { root.appendingPathComponent("Schemas", isDirectory: true) }
    public static var samples: URL { root.appendingPathComponent("Samples", isDirectory: true) }
    public static var validDrops: URL { samples.appendingPathComponent("drops/valid", isDirectory: true) }
    public static var invalidDrops: URL { samples.appendingPathComponent("drops/invalid", isDirectory: true) }

    /// Visma's official OpenAPI document: `$VISMA_OPENAPI`, else `../shared/reference/visma-openapi.json`
    /// beside the repository. Never copied into the project; tests that need it skip when it is absent.
    public static var officialOpenAPI: URL? {
        let candidates = [
            ProcessInfo.processInfo.environment["VISMA_OPENAPI"].map { URL(fileURLWithPath: $0) },
            root.deletingLastPathComponent().appendingPathComponent("shared/reference/visma-openapi.json"),
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Builds the sample venue's FlexyBox database from the committed SQL text.
    public static func buildSampleVenue(at url: URL) throws {
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: url.path)
        for part in ["Schemas/flexybox-source.sql", "Samples/venue/master.sql", "Samples/venue/documents.sql"] {
            let sql = try String(contentsOf: root.appendingPathComponent(part), encoding: .utf8)
            try queue.inDatabase { db in try db.execute(sql: sql) }
        }
        try queue.close()
    }

    /// Files in a folder with one of the extensions, sorted by name.
    public static func files(in folder: URL, extensions: Set<String>) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { extensions.contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

/// A fresh folder under the system temporary folder, removed when the value goes away.
public final class TemporaryFolder: @unchecked Sendable {
    public let url: URL

    public init(_ label: String = "flexyvisma-tests") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ component: String) -> URL { url.appendingPathComponent(component) }
}

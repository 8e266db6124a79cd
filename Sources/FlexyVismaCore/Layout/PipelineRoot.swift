import Foundation

/// The folders of one venue's pipeline root (docs/ARCHITECTURE.md, "The pipeline root").
public struct PipelineRoot: Sendable, Equatable {
    public let url: URL

    public init(_ url: URL) {
        self.url = url.standardizedFileURL
    }

    public init(path: String) {
        self.init(URL(fileURLWithPath: path, isDirectory: true))
    }

    public static let configFileName = "flexyvisma.json"

    public var configFile: URL { url.appendingPathComponent(Self.configFileName) }
    public var inbox: URL { url.appendingPathComponent("inbox", isDirectory: true) }
    public var batches: URL { url.appendingPathComponent("batches", isDirectory: true) }
    public var archive: URL { url.appendingPathComponent("archive", isDirectory: true) }
    public var rejected: URL { url.appendingPathComponent("rejected", isDirectory: true) }
    public var state: URL { url.appendingPathComponent("state", isDirectory: true) }
    public var logs: URL { url.appendingPathComponent("logs", isDirectory: true) }
    public var secrets: URL { url.appendingPathComponent("secrets", isDirectory: true) }

    /// Every folder `init` creates, in creation order.
    public var folders: [URL] { [inbox, batches, archive, rejected, state, logs, secrets] }

    /// Resolves a path from the config: absolute as is, relative against the root.
    public func resolve(_ path: String) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path) }
        return url.appendingPathComponent(path)
    }

    /// Where a batch with this id sits once a stage has picked it up.
    public func batchFolder(_ id: BatchID) -> URL {
        batches.appendingPathComponent(id.rawValue, isDirectory: true)
    }

    /// The ids of the batches in `batches/`, oldest first; anything else in the folder is ignored.
    public func batchesInProgress() -> [BatchID] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: batches.path)) ?? []
        return names.compactMap(BatchID.init).sorted()
    }

    /// The hidden folder an export writes into before its atomic rename.
    public func inboxTemporaryFolder(_ id: BatchID) -> URL {
        inbox.appendingPathComponent(".\(id.rawValue).tmp", isDirectory: true)
    }

    public func inboxFolder(_ id: BatchID) -> URL {
        inbox.appendingPathComponent(id.rawValue, isDirectory: true)
    }

    /// The folder of a batch wherever it is along the pipeline (inbox, batches, archive), or nil.
    public func locateBatch(_ id: BatchID) -> URL? {
        let archived =
            archive
            .appendingPathComponent(id.year, isDirectory: true)
            .appendingPathComponent(id.month, isDirectory: true)
            .appendingPathComponent(id.rawValue, isDirectory: true)
        return [inboxFolder(id), batchFolder(id), archived].first {
            FileManager.default.fileExists(atPath: $0.path)
        }
    }

    public func batchExists(_ id: BatchID) -> Bool { locateBatch(id) != nil }
}

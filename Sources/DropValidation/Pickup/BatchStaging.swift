import FlexyVismaCore
import Foundation

/// A batch folder being filled by the pickup: hidden (`batches/.<id>.pickup`, not a batch id) until
/// every copy is durable, then renamed into place whole.
struct BatchStaging {
    let root: PipelineRoot
    let id: BatchID
    let folder: URL

    /// Starts afresh: a staging folder left by an interrupted pickup holds only copies, and goes.
    init(root: PipelineRoot, id: BatchID) throws {
        self.root = root
        self.id = id
        folder = root.batches.appendingPathComponent(".\(id.rawValue).pickup", isDirectory: true)
        try? FileManager.default.removeItem(at: folder)
        try DurableFiles.makeFolder(folder, mode: FileModes.sharedFolder)
    }

    func copy(_ name: String, from source: OpenFolder) throws -> FileCopy {
        try DurableFiles.copyRegularFile(
            named: name, in: source, to: folder.appendingPathComponent(name), permissions: FileModes.sharedFile)
    }

    func discard() { try? FileManager.default.removeItem(at: folder) }

    /// Writes `pickup.json` (each file's name, size and SHA-256 as copied) and renames the folder to `batches/<id>/`.
    func publish(_ copies: [(String, FileCopy)], from origin: String) throws {
        let record = PickupRecord(
            from: origin,
            droppedFiles: copies.map {
                PickupRecord.File(name: $0.0, bytes: $0.1.digest.bytes, sha256: $0.1.digest.sha256)
            })
        try DurableFiles.write(
            try CanonicalJSON.encode(record), to: folder.appendingPathComponent(PickupRecord.fileName),
            permissions: FileModes.sharedFile, exclusive: true)
        try DurableFiles.syncFolder(folder)
        try DurableFiles.rename(folder, to: root.batchFolder(id))
    }
}

/// `pickup.json`: what the pickup copied into a batch folder; validation records these hashes, never re-reading the files for them.
struct PickupRecord: Codable {
    static let fileName = "pickup.json"

    struct File: Codable {
        var name: String
        var bytes: Int64
        var sha256: String
    }

    var from: String
    var droppedFiles: [File]

    /// The recorded digests of a batch folder's drop files (empty for a folder made otherwise).
    static func digests(in folder: URL) -> [String: FileDigest] {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)),
            let record = try? BoundedJSONDecoder.decode(PickupRecord.self, from: data)
        else { return [:] }
        var digests: [String: FileDigest] = [:]
        for file in record.droppedFiles { digests[file.name] = FileDigest(bytes: file.bytes, sha256: file.sha256) }
        return digests
    }
}

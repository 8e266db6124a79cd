import FlexyVismaCore
import Foundation
import StateStore

/// Finished batches move to `archive/YYYY/MM/<id>/`, read-only.
public enum BatchArchive {
    public static func folder(for id: BatchID, in root: PipelineRoot) -> URL {
        root.archive.appendingPathComponent(id.year).appendingPathComponent(id.month).appendingPathComponent(
            id.rawValue, isDirectory: true)
    }

    /// Archives every batch in `batches/` whose upload was accepted or that was discarded; returns their ids.
    @discardableResult
    public static func archiveFinished(in root: PipelineRoot) throws -> [BatchID] {
        var archived: [BatchID] = []
        for id in root.batchesInProgress() where isFinished(root.batchFolder(id), in: root) {
            try archive(id, in: root)
            archived.append(id)
        }
        return archived
    }

    static func isFinished(_ folder: URL, in root: PipelineRoot) -> Bool {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("discard.manifest.json").path) {
            return true
        }
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("upload.manifest.json")),
            let manifest = try? StageManifest.decode(data)
        else { return false }
        guard manifest.status == .accepted else { return false }
        // However the halt was lifted: every record the ledger holds for the batch is done.
        guard let id = BatchID(folder.lastPathComponent), let ledger = try? UploadLedger.Reader.open(root: root) else {
            return true
        }
        guard let entries = try? ledger.entries(batch: id) else { return false }
        return entries.values.allSatisfy { $0.state == .done }
    }

    static func archive(_ id: BatchID, in root: PipelineRoot) throws {
        let destination = folder(for: id, in: root)
        try DurableFiles.makeFolders(destination.deletingLastPathComponent(), mode: FileModes.sharedFolder)
        try DurableFiles.rename(root.batchFolder(id), to: destination)
        try makeReadOnly(destination)
    }

    /// Write permission removed (and any for others): an archived batch is not edited by accident,
    /// and what was owner-only (payloads) stays so.
    static func makeReadOnly(_ folder: URL) throws {
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isDirectoryKey])
        var folders: [URL] = [folder]
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                folders.append(url)
            } else {
                try withoutWrite(url)
            }
        }
        for folder in folders.reversed() {
            try withoutWrite(folder)
        }
    }

    private static func withoutWrite(_ url: URL) throws {
        let mode =
            (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? 0
        try FileManager.default.setAttributes(
            [.posixPermissions: NSNumber(value: mode & 0o2550)], ofItemAtPath: url.path)
    }
}

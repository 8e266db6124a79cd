import DropFormats
import FlexyVismaCore
import Foundation

/// Takes the oldest ready drop out of `inbox/` into a `batches/<id>/` folder of its own (docs/ARCHITECTURE.md, "The pipeline root"; docs/SECURITY.md).
///
/// Left alone: names starting with `.` or `~$` and `*.tmp`, `*.part`, `*.partial` (being written),
/// and single files changed within the settle time. Batch folders are taken at once: they arrive
/// by atomic rename, complete. Moved to `rejected/` with a `.why.txt`: symbolic
/// links (never followed), folders not named as batch ids, files whose name is no drop file type.
///
/// The pipeline owns what it validates: each dropped file is copied, hashed as it is copied, into a
/// folder the pipeline creates with its own modes. Only plain files of a single link are taken
/// (opened `O_NOFOLLOW | O_NONBLOCK` and checked with `fstat`); a folder holding anything else, or a
/// name the pipeline writes itself, goes to `rejected/` whole. The dropped original is removed only
/// once its copy is durable, so every byte that arrives ends in `batches/` or `rejected/`.
struct InboxPickup {
    let root: PipelineRoot
    let settleSeconds: Int
    let now: Date

    enum Drop {
        case folder(BatchID)
        case files([String])
    }

    /// What `take` made of a drop.
    enum Taken {
        case batch(BatchID)
        /// Moved to `rejected/` with its reasons.
        case refused(name: String, reason: String)
    }

    struct Scan {
        var ready: Drop?
        var rejected: [(name: String, reason: String)] = []
        var waiting: [String] = []
    }

    static func ignored(_ name: String) -> Bool { InboxEntry.isBeingWritten(name) }

    /// A name the pipeline writes into a batch folder itself; never taken from a drop (an export brings its manifest).
    static func isReserved(_ name: String) -> Bool {
        name != StageManifest.fileName(of: .export) && (BatchValidator.isOwnFile(name) || name == "payloads")
    }

    /// Looks at the inbox; moves unrecognised drops to `rejected/`; returns the oldest ready drop.
    func scan() throws -> Scan {
        var scan = Scan()
        var folders: [(BatchID, Date)] = []
        var files: [(String, Date)] = []
        let fileManager = FileManager.default
        for name in try fileManager.contentsOfDirectory(atPath: root.inbox.path).sorted() where !Self.ignored(name) {
            let path = root.inbox.appendingPathComponent(name).path
            guard let attributes = try? fileManager.attributesOfItem(atPath: path) else { continue }
            let type = attributes[.type] as? FileAttributeType
            let modified = attributes[.modificationDate] as? Date ?? now
            let settled = now.timeIntervalSince(modified) >= Double(settleSeconds)
            switch type {
            case .typeSymbolicLink?:
                try reject(
                    name, reason: "it is a symbolic link; links in the inbox are never followed. Drop the file itself.")
                scan.rejected.append((name, "symbolic link"))
            case .typeDirectory?:
                if let id = BatchID(name) {
                    // A batch folder arrives by atomic rename: complete the moment it is visible.
                    folders.append((id, modified))
                } else if !settled {
                    scan.waiting.append(name)
                } else {
                    try reject(
                        name,
                        reason:
                            "a dropped folder must be named as a batch id (YYYYMMDDTHHMMSSZ-<6 hex>) and renamed into the inbox only when complete."
                    )
                    scan.rejected.append((name, "folder name is not a batch id"))
                }
            case .typeRegular?:
                guard settled else {
                    scan.waiting.append(name)
                    continue
                }
                if DropFileType(fileName: name) != nil {
                    files.append((name, modified))
                } else {
                    try reject(
                        name,
                        reason:
                            "\"\(name)\" is not a drop file name. Name it items, calculations, customers, payments, purchase_orders or receipts (optionally followed by -anything), with .csv or .xml as its type needs."
                    )
                    scan.rejected.append((name, "not a drop file name"))
                }
            default:
                try reject(name, reason: "it is neither a file nor a folder (a FIFO, socket or device is never read).")
                scan.rejected.append((name, "not a regular file"))
            }
        }
        let oldestFolder = folders.min { $0.0 < $1.0 }
        let oldestFile = files.map(\.1).min()
        if let folder = oldestFolder, oldestFile.map({ folder.1 <= $0 }) ?? true {
            scan.ready = .folder(folder.0)
        } else if !files.isEmpty {
            scan.ready = .files(files.map(\.0))
        }
        return scan
    }

    /// Copies the drop into a new batch folder; returns its batch id, or why it went to `rejected/`.
    func take(_ drop: Drop) throws -> Taken {
        switch drop {
        case .folder(let id): try takeFolder(id)
        case .files(let names): try takeFiles(names)
        }
    }

    /// A dropped batch folder: every entry copied, or the whole folder rejected.
    private func takeFolder(_ id: BatchID) throws -> Taken {
        let name = id.rawValue
        guard !FileManager.default.fileExists(atPath: root.batchFolder(id).path) else {
            try reject(
                name, reason: "a batch with the id \(id) already exists in batches/. Export again to get a new id.")
            return .refused(name: name, reason: "repeats the id of an existing batch")
        }
        let source: OpenFolder
        do {
            source = try OpenFolder(root.inboxFolder(id))
        } catch let refusal as NotARegularFile {
            try reject(name, reason: refusal.reason)
            return .refused(name: name, reason: refusal.reason)
        }
        let listing = try source.names()
        let staging = try BatchStaging(root: root, id: id)
        var copies: [(String, FileCopy)] = []
        var refusals: [String] = listing.unreadable > 0 ? ["\(listing.unreadable) name(s) that are not UTF-8"] : []
        for entry in listing.names {
            if Self.isReserved(entry) {
                refusals.append("\(entry): a name the pipeline writes itself; it is never taken from a drop")
                continue
            }
            do {
                copies.append((entry, try staging.copy(entry, from: source)))
            } catch let refusal as NotARegularFile {
                refusals.append("\(entry): \(refusal.reason)")
            }
        }
        guard refusals.isEmpty else {
            staging.discard()
            let reason = "the folder holds what the pipeline never takes: " + refusals.joined(separator: "; ")
            try reject(name, reason: reason + ". Nothing of it was validated; drop plain files only.")
            return .refused(name: name, reason: reason)
        }
        try staging.publish(copies, from: "inbox/\(name)")
        // The copies are durable: the originals go. Anything changed or added meanwhile stays, and goes to rejected/.
        for (entry, copy) in copies { _ = try source.remove(entry, ifStill: copy.source) }
        try source.sync()
        if rmdir(root.inboxFolder(id).path) != 0 {
            try reject(
                name,
                reason:
                    "files were added to or changed in the folder while batch \(id) was taken from it; they were not validated."
            )
        }
        try DurableFiles.syncFolder(root.inbox)
        return .batch(id)
    }

    /// Loose drop files: each copied or rejected on its own; together they make one new batch.
    private func takeFiles(_ names: [String]) throws -> Taken {
        let id = BatchID.make(at: now)
        let inbox = try OpenFolder(root.inbox)
        let staging = try BatchStaging(root: root, id: id)
        var copies: [(String, FileCopy)] = []
        var refused: [(String, String)] = []
        for name in names {
            do {
                copies.append((name, try staging.copy(name, from: inbox)))
            } catch let refusal as NotARegularFile {
                try reject(name, reason: refusal.reason + ".")
                refused.append((name, refusal.reason))
            }
        }
        guard !copies.isEmpty else {
            staging.discard()
            return .refused(
                name: refused.map(\.0).joined(separator: ", "), reason: refused.map(\.1).joined(separator: "; "))
        }
        try staging.publish(copies, from: "inbox")
        // A file replaced since it was copied stays in the inbox as a new drop.
        for (name, copy) in copies { _ = try inbox.remove(name, ifStill: copy.source) }
        try inbox.sync()
        return .batch(id)
    }

    /// Moves an inbox entry (a link itself, never its target) to `rejected/` with `<name>.why.txt`.
    func reject(_ name: String, reason: String) throws {
        var target = root.rejected.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: target.path)
            || (try? FileManager.default.destinationOfSymbolicLink(atPath: target.path)) != nil
        {
            target = root.rejected.appendingPathComponent("\(BatchID.make(at: now).rawValue)-\(name)")
        }
        try DurableFiles.rename(root.inbox.appendingPathComponent(name), to: target)
        let why = "\(Timestamp.iso8601(now)): inbox/\(name) was not taken: \(reason)\n"
        let whyFile = root.rejected.appendingPathComponent(target.lastPathComponent + ".why.txt")
        try DurableFiles.writeAtomically(Data(why.utf8), to: whyFile, permissions: FileModes.sharedFile)
    }
}

import DropFormats
import FlexyVismaCore
import Foundation

/// Takes the oldest ready drop out of `inbox/` into `batches/<id>/` (DESIGN §3).
///
/// Left alone: names starting with `.` or `~$` and `*.tmp`, `*.part`, `*.partial` (being written),
/// and single files changed within the settle time. Batch folders are taken at once: they arrive
/// by atomic rename, complete. Moved to `rejected/` with a `.why.txt`: symbolic
/// links (never followed), folders not named as batch ids, files whose name is no drop file type.
/// Nothing is ever deleted: every byte that arrives ends in `batches/` or `rejected/`.
struct InboxPickup {
    let root: PipelineRoot
    let settleSeconds: Int
    let now: Date

    enum Drop {
        case folder(BatchID)
        case files([String])
    }

    struct Scan {
        var ready: Drop?
        var rejected: [(name: String, reason: String)] = []
        var waiting: [String] = []
    }

    static func ignored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasPrefix("~$") || name.hasSuffix(".tmp") || name.hasSuffix(".part")
            || name.hasSuffix(".partial")
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
                try reject(name, reason: "it is a symbolic link; links in the inbox are never followed. Drop the file itself.")
                scan.rejected.append((name, "symbolic link"))
            case .typeDirectory?:
                if let id = BatchID(name) {
                    // A batch folder arrives by atomic rename: complete the moment it is visible.
                    folders.append((id, modified))
                } else if !settled {
                    scan.waiting.append(name)
                } else {
                    try reject(name, reason: "a dropped folder must be named as a batch id (YYYYMMDDTHHMMSSZ-<6 hex>) and renamed into the inbox only when complete.")
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
                        reason: "\"\(name)\" is not a drop file name. Name it items, calculations, customers, payments, purchase_orders or receipts (optionally followed by -anything), with .csv or .xml as its type needs.")
                    scan.rejected.append((name, "not a drop file name"))
                }
            default:
                try reject(name, reason: "it is neither a file nor a folder.")
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

    /// Moves the drop into `batches/`; returns its batch id.
    func take(_ drop: Drop) throws -> BatchID {
        switch drop {
        case .folder(let id):
            let destination = root.batchFolder(id)
            guard !FileManager.default.fileExists(atPath: destination.path) else {
                try reject(id.rawValue, reason: "a batch with the id \(id) already exists in batches/. Export again to get a new id.")
                throw OperatorMessage(.dataRejected, "inbox/\(id) repeats the id of an existing batch; moved to rejected/")
            }
            try DurableFiles.rename(root.inboxFolder(id), to: destination)
            return id
        case .files(let names):
            let id = BatchID.make(at: now)
            let folder = root.batchFolder(id)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
            let record = names.map { ["name": $0] }
            try DurableFiles.write(try JSONSerialization.data(withJSONObject: ["droppedFiles": record], options: [.sortedKeys, .prettyPrinted]),
                                   to: folder.appendingPathComponent("pickup.json"))
            for name in names {
                try DurableFiles.rename(root.inbox.appendingPathComponent(name), to: folder.appendingPathComponent(name))
            }
            try DurableFiles.syncFolder(root.inbox)
            return id
        }
    }

    /// Moves an inbox entry (a link itself, never its target) to `rejected/` with `<name>.why.txt`.
    private func reject(_ name: String, reason: String) throws {
        var target = root.rejected.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: target.path) || (try? FileManager.default.destinationOfSymbolicLink(atPath: target.path)) != nil {
            target = root.rejected.appendingPathComponent("\(BatchID.make(at: now).rawValue)-\(name)")
        }
        try DurableFiles.rename(root.inbox.appendingPathComponent(name), to: target)
        let why = "\(Timestamp.iso8601(now)): inbox/\(name) was not taken: \(reason)\n"
        try DurableFiles.write(Data(why.utf8), to: root.rejected.appendingPathComponent(target.lastPathComponent + ".why.txt"))
    }
}

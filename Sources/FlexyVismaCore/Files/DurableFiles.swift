import Crypto
import Foundation
import Glibc

/// File operations that survive a crash or power cut: fsync before rename, fsync the folder after.
///
/// None of them follows a symbolic link or waits on a FIFO: every open is `O_NOFOLLOW | O_NONBLOCK`
/// and the descriptor is checked with `fstat` to be a regular file (or a folder) before it is used.
public enum DurableFiles {
    /// Writes `data` to a hidden temporary file beside `url` (created `O_EXCL`), syncs it, and renames it into place.
    ///
    /// The rename replaces a link at `url` with the file; it never writes through it. When the write or the rename
    /// fails (a full disk, an I/O error, a folder in the way) the temporary file is removed: nothing half-written stays.
    public static func writeAtomically(_ data: Data, to url: URL, permissions: mode_t = FileModes.privateFile) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try write(data, to: temporary, permissions: permissions, exclusive: true)
            guard Glibc.rename(temporary.path, url.path) == 0 else {
                throw FileFailure(operation: "rename \(temporary.lastPathComponent) to", path: url.path)
            }
        } catch {
            unlink(temporary.path)
            throw error
        }
        try syncFolder(folder)
    }

    /// Creates (or truncates) the regular file `url`, writes `data`, and fsyncs the file before returning.
    ///
    /// `exclusive`: refuse when anything at all is at `url` already.
    public static func write(
        _ data: Data, to url: URL, permissions: mode_t = FileModes.privateFile, exclusive: Bool = false
    ) throws {
        let descriptor = try openForWriting(url, permissions: permissions, exclusive: exclusive)
        defer { close(descriptor) }
        try data.withUnsafeBytes { try writeAll($0, to: descriptor, path: url.path) }
        guard fsync(descriptor) == 0 else { throw FileFailure(operation: "sync", path: url.path) }
    }

    /// Opens a regular file for writing without following a link or blocking on a FIFO; sets its mode exactly.
    public static func openForWriting(
        _ url: URL, permissions: mode_t, exclusive: Bool, append: Bool = false
    ) throws -> Int32 {
        var flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK
        flags |= exclusive ? O_EXCL : 0
        flags |= append ? O_APPEND : 0
        let descriptor = open(url.path, flags, permissions)
        guard descriptor >= 0 else { throw FileFailure(operation: "create", path: url.path) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw FileFailure(
                operation: "write", path: url.path, errorNumber: EINVAL, reason: "it is not a regular file")
        }
        // The mode given to open() is filtered by the umask; secrets must end up exactly as asked.
        guard fchmod(descriptor, permissions) == 0, append || ftruncate(descriptor, 0) == 0 else {
            close(descriptor)
            throw FileFailure(operation: "set permissions of", path: url.path)
        }
        return descriptor
    }

    /// Writes every byte of `buffer`, resuming after partial writes and interruptions.
    static func writeAll(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileFailure(operation: "write", path: path)
            }
            offset += written
        }
    }

    /// Renames atomically and makes the rename durable by syncing the destination folder.
    public static func rename(_ source: URL, to destination: URL) throws {
        guard Glibc.rename(source.path, destination.path) == 0 else {
            throw FileFailure(operation: "rename \(source.lastPathComponent) to", path: destination.path)
        }
        try syncFolder(destination.deletingLastPathComponent())
    }

    public static func syncFolder(_ url: URL) throws {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileFailure(operation: "open folder", path: url.path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw FileFailure(operation: "sync folder", path: url.path) }
    }

    /// Creates the folder `url` (failing when anything is there) with exactly `mode`, and syncs its parent.
    public static func makeFolder(_ url: URL, mode: mode_t) throws {
        guard mkdir(url.path, FileModes.privateFolder) == 0 else {
            throw FileFailure(operation: "create folder", path: url.path)
        }
        try setFolderMode(url, mode)
        try syncFolder(url.deletingLastPathComponent())
    }

    /// Creates every missing folder down to `url` with `mode` (existing ones are left as they are).
    public static func makeFolders(_ url: URL, mode: mode_t) throws {
        var missing: [URL] = []
        var folder = url.standardizedFileURL
        while folder.path != "/", !FileManager.default.fileExists(atPath: folder.path) {
            missing.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        for folder in missing.reversed() {
            guard mkdir(folder.path, FileModes.privateFolder) == 0 || errno == EEXIST else {
                throw FileFailure(operation: "create folder", path: folder.path)
            }
            try setFolderMode(folder, mode)
        }
    }

    /// Sets a folder's mode through a descriptor opened without following a link.
    public static func setFolderMode(_ url: URL, _ mode: mode_t) throws {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileFailure(operation: "open folder", path: url.path) }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else { throw FileFailure(operation: "set permissions of", path: url.path) }
    }

    /// SHA-256 (lowercase hex) and size of a regular file, read in 1 MiB chunks; never a link, FIFO or device.
    public static func digest(of url: URL) throws -> FileDigest {
        let source = try RegularFile.open(url)
        defer { close(source.descriptor) }
        var hasher = SHA256Stream()
        let bytes = try source.readChunks(path: url.path) { hasher.update($0) }
        return FileDigest(bytes: bytes, sha256: hasher.finish())
    }
}

/// A descriptor that `fstat` proved to be a regular file.
struct RegularFile {
    let descriptor: Int32

    let identity: FileIdentity

    static func open(_ url: URL, singleLink: Bool = false) throws -> RegularFile {
        try open(path: url.path, at: AT_FDCWD, name: url.path, singleLink: singleLink)
    }

    /// Opens `name` relative to `folder` without following a link or blocking on a FIFO, then checks what was opened.
    static func open(path: String, at folder: Int32, name: String, singleLink: Bool) throws -> RegularFile {
        let descriptor = openat(folder, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else {
            if errno == ELOOP {
                throw NotARegularFile(path: path, reason: "it is a symbolic link; links are never followed")
            }
            if errno == ENXIO { throw NotARegularFile(path: path, reason: "it is a socket or a device, not a file") }
            if errno == EACCES {
                throw NotARegularFile(path: path, reason: "the pipeline may not read it; drop files its group can read")
            }
            throw FileFailure(operation: "open", path: path)
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw FileFailure(operation: "inspect", path: path)
        }
        if let reason = NotARegularFile.reason(status, singleLink: singleLink) {
            close(descriptor)
            throw NotARegularFile(path: path, reason: reason)
        }
        return RegularFile(
            descriptor: descriptor, identity: FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)))
    }

    /// Reads to the end in 1 MiB chunks; returns the byte count.
    func readChunks(path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total: Int64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileFailure(operation: "read", path: path)
            }
            if count == 0 { return total }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            total += Int64(count)
        }
    }
}

/// Something that is not a plain file where the pipeline takes only plain files; `reason` says what it is.
public struct NotARegularFile: PipelineFailure {
    public let path: String
    public let reason: String

    public var exitStatus: ExitStatus { .dataRejected }
    public var description: String { "\(path) was not taken: \(reason)" }

    /// Why `status` is not a plain file of its own, or nil when it is.
    static func reason(_ status: stat, singleLink: Bool) -> String? {
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            if singleLink, status.st_nlink > 1 {
                return
                    "it has \(status.st_nlink) hard links; a hard link shares its bytes with a file elsewhere. Drop a copy, not a link"
            }
            return nil
        case S_IFLNK: return "it is a symbolic link; links are never followed"
        case S_IFIFO: return "it is a FIFO (named pipe), not a file"
        case S_IFSOCK: return "it is a socket, not a file"
        case S_IFCHR, S_IFBLK: return "it is a device, not a file"
        case S_IFDIR: return "it is a folder; a batch folder holds drop files only"
        default: return "it is not a regular file"
        }
    }
}

/// SHA-256 fed chunk by chunk.
struct SHA256Stream {
    private var hasher = SHA256()
    mutating func update(_ chunk: UnsafeRawBufferPointer) { hasher.update(bufferPointer: chunk) }
    func finish() -> String { hasher.finalize().hexString }
}

/// Size and SHA-256 of one file.
public struct FileDigest: Sendable, Equatable {
    public let bytes: Int64
    public let sha256: String

    public init(bytes: Int64, sha256: String) {
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// A file system call that failed, with the path and the system's reason.
public struct FileFailure: PipelineFailure {
    public let operation: String
    public let path: String
    public let reason: String

    public init(operation: String, path: String, errorNumber: Int32 = errno, reason: String? = nil) {
        self.operation = operation
        self.path = path
        self.reason = reason ?? String(cString: strerror(errorNumber))
    }

    public var exitStatus: ExitStatus { .temporaryFailure }
    public var description: String { "could not \(operation) \(path): \(reason)" }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal, two digits a byte.
    public var hexString: String {
        let digits: [Character] = Array("0123456789abcdef")
        var text = ""
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }
}

extension Data {
    public var sha256Hex: String { SHA256.hash(data: self).hexString }
}

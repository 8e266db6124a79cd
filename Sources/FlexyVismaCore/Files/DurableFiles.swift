import Crypto
import Foundation

import Glibc

/// File operations that survive a crash or power cut: fsync before rename, fsync the folder after.
public enum DurableFiles {
    /// Writes `data` to a hidden temporary file beside `url`, syncs it, and renames it into place.
    public static func writeAtomically(_ data: Data, to url: URL, permissions: mode_t = 0o644) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        try write(data, to: temporary, permissions: permissions)
        try rename(temporary, to: url)
    }

    /// Creates (or truncates) `url`, writes `data`, and fsyncs the file before returning.
    public static func write(_ data: Data, to url: URL, permissions: mode_t = 0o644) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw FileFailure(operation: "create", path: url.path) }
        defer { close(descriptor) }
        // The mode given to open() is filtered by the umask; secrets must end up exactly as asked.
        guard fchmod(descriptor, permissions) == 0 else {
            throw FileFailure(operation: "set permissions of", path: url.path)
        }
        try data.withUnsafeBytes { try writeAll($0, to: descriptor, path: url.path) }
        guard fsync(descriptor) == 0 else { throw FileFailure(operation: "sync", path: url.path) }
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

    /// SHA-256 (lowercase hex) and size of a file, read in 1 MiB chunks.
    public static func digest(of url: URL) throws -> FileDigest {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw FileFailure(operation: "read", path: url.path)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes: Int64 = 0
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        return FileDigest(bytes: bytes, sha256: hasher.finalize().hexString)
    }
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

    public init(operation: String, path: String, errorNumber: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.reason = String(cString: strerror(errorNumber))
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

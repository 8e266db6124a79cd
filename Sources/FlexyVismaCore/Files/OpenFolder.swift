import Foundation
import Glibc

/// A folder opened without following a link; its entries are opened relative to it (`openat`),
/// so swapping the folder for a link after it was opened changes nothing.
public final class OpenFolder {
    public let url: URL
    let descriptor: Int32

    /// Throws `NotARegularFile` when `url` is a link or not a folder.
    public init(_ url: URL) throws {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ELOOP || errno == ENOTDIR {
                throw NotARegularFile(
                    path: url.path, reason: "it is a symbolic link or not a folder; links are never followed")
            }
            throw FileFailure(operation: "open folder", path: url.path)
        }
        self.descriptor = descriptor
        self.url = url
    }

    deinit { close(descriptor) }

    /// The names in the folder, sorted; names that are not UTF-8 are returned in `unreadable`.
    public func names() throws -> (names: [String], unreadable: Int) {
        let copy = dup(descriptor)
        guard copy >= 0, let stream = fdopendir(copy) else { throw FileFailure(operation: "list", path: url.path) }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        var unreadable = 0
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(validatingCString: $0) }
            }
            guard let name else {
                unreadable += 1
                continue
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return (names.sorted(), unreadable)
    }

    /// Device and inode of an entry, not following a link; nil when it is gone.
    public func identity(of name: String) -> FileIdentity? {
        var status = stat()
        guard fstatat(descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    /// Removes an entry only if it is still the file that was copied.
    public func remove(_ name: String, ifStill identity: FileIdentity) throws -> Bool {
        guard self.identity(of: name) == identity else { return false }
        guard unlinkat(descriptor, name, 0) == 0 else {
            throw FileFailure(operation: "remove", path: url.appendingPathComponent(name).path)
        }
        return true
    }

    /// fsyncs the folder (its entries' creation, rename or removal).
    public func sync() throws {
        guard fsync(descriptor) == 0 else { throw FileFailure(operation: "sync folder", path: url.path) }
    }
}

/// Which file an entry was: device and inode.
public struct FileIdentity: Sendable, Equatable {
    public let device: UInt64
    public let inode: UInt64
}

/// A copy made by `DurableFiles.copyRegularFile(named:in:to:permissions:)`: what it holds and where it came from.
public struct FileCopy: Sendable {
    public let digest: FileDigest
    /// The source's identity, to remove it later only if it is still the same file.
    public let source: FileIdentity
}

extension DurableFiles {
    /// Copies the entry `name` of `folder` into a new file at `destination` (created `O_EXCL`), hashing as it writes.
    ///
    /// The digest is of the copy: whatever the source does meanwhile, it is what `destination` holds.
    /// Throws `NotARegularFile` for links, FIFOs, sockets, devices, folders and files with several hard links.
    public static func copyRegularFile(
        named name: String, in folder: OpenFolder, to destination: URL, permissions: mode_t
    ) throws -> FileCopy {
        let path = folder.url.appendingPathComponent(name).path
        let input = try RegularFile.open(path: path, at: folder.descriptor, name: name, singleLink: true)
        defer { close(input.descriptor) }
        let output = try openForWriting(destination, permissions: permissions, exclusive: true)
        defer { close(output) }
        var hasher = SHA256Stream()
        let bytes = try input.readChunks(path: path) { chunk in
            hasher.update(chunk)
            try writeAll(chunk, to: output, path: destination.path)
        }
        guard fsync(output) == 0 else { throw FileFailure(operation: "sync", path: destination.path) }
        return FileCopy(digest: FileDigest(bytes: bytes, sha256: hasher.finish()), source: input.identity)
    }
}

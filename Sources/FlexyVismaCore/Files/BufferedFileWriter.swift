import Foundation
import Glibc

/// Appends bytes to a new file through a 1 MiB buffer; `finish()` flushes and fsyncs.
public final class BufferedFileWriter {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int
    public let url: URL
    public private(set) var bytesWritten: Int64 = 0

    /// Creates or truncates the regular file `url` (never through a link) with exactly `permissions`.
    public init(creating url: URL, permissions: mode_t = FileModes.privateFile, capacity: Int = 1 << 20) throws {
        self.descriptor = try DurableFiles.openForWriting(url, permissions: permissions, exclusive: false)
        self.capacity = capacity
        self.url = url
        buffer.reserveCapacity(capacity)
    }

    deinit { close(descriptor) }

    public func write(_ text: String) throws {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= capacity { try flush() }
    }

    public func flush() throws {
        try buffer.withUnsafeBytes { try DurableFiles.writeAll($0, to: descriptor, path: url.path) }
        bytesWritten += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and fsyncs; the file is durable when this returns.
    public func finish() throws {
        try flush()
        guard fsync(descriptor) == 0 else { throw FileFailure(operation: "sync", path: url.path) }
    }
}

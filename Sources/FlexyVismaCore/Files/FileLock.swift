import Foundation
import Glibc

/// An exclusive advisory lock on a file in `state/`, released when the process ends, however it ends.
///
/// The holder's pid and purpose are written into the file so a second process can say who holds it.
/// Because the kernel drops a flock with its process, a lock left by a killed process is never stale.
public final class FileLock: @unchecked Sendable {
    private let descriptor: Int32
    public let url: URL

    private init(descriptor: Int32, url: URL) {
        self.descriptor = descriptor
        self.url = url
    }

    /// Takes the lock without waiting; throws `LockHeld` (exit 75) naming the holder when taken.
    public static func acquire(_ url: URL, purpose: String) throws -> FileLock {
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, FileModes.privateFile)
        guard descriptor >= 0 else { throw FileFailure(operation: "open lock file", path: url.path) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOf: url, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw LockHeld(path: url.path, holder: holder ?? "")
        }
        let note = "pid \(getpid()): \(purpose)\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return FileLock(descriptor: descriptor, url: url)
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// Another process holds the lock; try again when it has finished.
public struct LockHeld: PipelineFailure {
    public let path: String
    public let holder: String

    public var exitStatus: ExitStatus { .temporaryFailure }
    public var description: String {
        let who = holder.isEmpty ? "another process" : holder
        return "\(path) is locked by \(who); it is still working on this root, try again when it has finished"
    }
}

internal import CProcessControl
import Glibc

/// What every FlexyVisma executable does first: no core dumps, no death by a closed pipe.
public enum ProcessHardening {
    /// Ignores SIGPIPE (a closed stdout, stderr or notifier stdin becomes an `EPIPE` the writer handles),
    /// sets the core size limit to 0 and marks the process not dumpable, so a crash never writes
    /// the client secret or personal data into a core file and no other process of the same user can
    /// ptrace it or read its memory through /proc.
    /// A closed stdin, stdout or stderr is reopened on /dev/null first, so that no file the process
    /// opens later (a log, a manifest) takes descriptor 0–2 and receives what was meant for a stream.
    public static func apply() {
        for descriptor in STDIN_FILENO...STDERR_FILENO where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            _ = open("/dev/null", O_RDWR)
        }
        signal(SIGPIPE, SIG_IGN)
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &none)
        _ = fv_set_not_dumpable()
    }

    /// Whether core dumps are off for this process (for tests and `flexyvisma version`).
    public static var coreDumpsDisabled: Bool {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_CORE.rawValue), &limit) == 0 else { return false }
        return limit.rlim_cur == 0 && fv_is_dumpable() == 0
    }
}

/// Writes to a file descriptor with POSIX `write`, never raising: a closed or broken stream is ignored.
///
/// `FileHandle.write` turns `EPIPE` into an Objective-C exception (a crash on Linux); a warning on
/// stderr must never be what ends a stage.
public enum StandardStream {
    /// Writes the text to stderr; returns false when the stream is gone.
    @discardableResult
    public static func error(_ text: String) -> Bool { write(Array(text.utf8), to: STDERR_FILENO) }

    /// Writes the text to stdout; returns false when the stream is gone.
    @discardableResult
    public static func output(_ text: String) -> Bool { write(Array(text.utf8), to: STDOUT_FILENO) }

    /// Writes the bytes to stdout; returns false when the stream is gone.
    @discardableResult
    public static func output(_ data: [UInt8]) -> Bool { write(data, to: STDOUT_FILENO) }

    /// Writes all bytes, retrying on `EINTR` and short writes; false on `EPIPE`, `EBADF` or any other error.
    @discardableResult
    public static func write(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}

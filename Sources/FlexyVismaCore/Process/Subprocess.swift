internal import CProcessControl
import Glibc
import Synchronization

/// A child process started with `posix_spawn`: the stages `flexyvisma run` starts, the notifier.
///
/// Not Foundation's `Process`: on Linux its `run()` walks `/proc/self/fd` copying each entry's whole
/// 256-byte `d_name`, reading past the end of glibc's directory buffer — a SIGSEGV when the next page
/// is unmapped, an AddressSanitizer heap-buffer-overflow every time (swift-corelibs-foundation
/// pull request 5472) — and leaks a weak reference per child.
public final class Subprocess: Sendable {
    public let pid: Int32
    /// The raw wait status, once reaped.
    private let ended = Mutex<Int32?>(nil)

    private init(pid: Int32) { self.pid = pid }

    /// Starts `executable` with exactly `arguments` (after its own path) and `environment`.
    ///
    /// Descriptors: `input` (nil: /dev/null), `output` and `error` (nil: this process's) become 0–2;
    /// every other descriptor is closed in the child and every signal is back to its default there.
    public static func start(
        _ executable: String, _ arguments: [String], environment: [String: String],
        input: Int32? = nil, output: Int32? = nil, error: Int32? = nil
    ) throws -> Subprocess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, STDIN_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        }
        if let output { posix_spawn_file_actions_adddup2(&actions, output, STDOUT_FILENO) }
        if let error { posix_spawn_file_actions_adddup2(&actions, error, STDERR_FILENO) }
        fv_spawn_close_from(&actions, STDERR_FILENO + 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = CStringArray([executable] + arguments)
        let envp = CStringArray(environment.map { "\($0.key)=\($0.value)" }.sorted())
        defer {
            argv.free()
            envp.free()
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
        guard code == 0 else {
            throw OperatorMessage(.internalError, "cannot start \(executable): \(String(cString: strerror(code)))")
        }
        return Subprocess(pid: pid)
    }

    /// A pipe whose ends are closed on exec (a child gets one only as its 0–2).
    public static func pipe() throws -> (reading: Int32, writing: Int32) {
        var ends: [Int32] = [-1, -1]
        guard Glibc.pipe(&ends) == 0 else {
            throw OperatorMessage(.internalError, "cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (ends[0], ends[1])
    }

    /// Waits for the end: the exit status, or the signal's number when a signal ended it (as `Process` did).
    @discardableResult
    public func wait() -> Int32 {
        while true {
            // Waits without reaping and without the lock, so `kill()` from another thread is never held up.
            var info = siginfo_t()
            _ = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
            if let status = poll() { return status }
        }
    }

    /// Whether it is still running (reaps it when it has ended).
    public var isRunning: Bool { poll() == nil }

    /// Sends SIGKILL and waits for the end.
    public func kill() {
        if isRunning { _ = Glibc.kill(pid, SIGKILL) }
        wait()
    }

    /// The end, reaping the child once it has ended; nil while it runs.
    private func poll() -> Int32? {
        let raw = ended.withLock { ended -> Int32? in
            if let ended { return ended }
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            guard reaped == pid else {
                return nil
            }
            ended = status
            return status
        }
        return raw.map { $0 & 0x7F == 0 ? ($0 >> 8) & 0xFF : $0 & 0x7F }
    }

    /// Whether a signal ended it; waits for the end first.
    public var endedBySignal: Bool {
        wait()
        return (ended.withLock { $0 } ?? 0) & 0x7F != 0
    }
}

/// NUL-terminated C strings for `posix_spawn`'s `argv` and `envp`, freed by `free()`.
private struct CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) { pointers = strings.map { strdup($0) } + [nil] }

    func free() { for pointer in pointers { Glibc.free(pointer) } }
}

import FlexyVismaCore

/// The first call of every FlexyVisma executable's `main`.
public enum ExecutableStartup {
    /// No core dumps, not dumpable, SIGPIPE ignored (see `ProcessHardening`).
    public static func harden() { ProcessHardening.apply() }
}

import Foundation
import Glibc

/// What the inbox holds, seen without taking anything: the rule the validate stage's pickup applies too.
public enum InboxEntry {
    /// A name being written by whoever drops it (`.name`, `~$name`, `*.tmp`, `*.part`, `*.partial`): never taken.
    public static func isBeingWritten(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasPrefix("~$") || name.hasSuffix(".tmp") || name.hasSuffix(".part")
            || name.hasSuffix(".partial")
    }

    /// The entries a pickup would consider, and how long ago the youngest of those that must settle changed.
    public struct Survey: Sendable, Equatable {
        public var names: [String]
        /// Seconds since the last change of the youngest loose file or non-batch folder; nil when none.
        public var youngestAge: TimeInterval?
    }

    /// Looks at the inbox with `lstat` only: links are not followed, nothing is opened or moved.
    /// A batch folder arrives complete by rename and never needs to settle.
    public static func survey(_ root: PipelineRoot, now: Date = Date()) -> Survey {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root.inbox.path)) ?? []).sorted().filter {
            !isBeingWritten($0)
        }
        var youngest: TimeInterval?
        for name in names {
            var info = stat()
            guard lstat(root.inbox.appendingPathComponent(name).path, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            guard type == S_IFREG || (type == S_IFDIR && BatchID(name) == nil) else { continue }
            let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            let age = now.timeIntervalSince1970 - modified
            youngest = min(youngest ?? age, age)
        }
        return Survey(names: names, youngestAge: youngest)
    }
}

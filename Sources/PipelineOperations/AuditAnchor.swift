import FlexyVismaCore
import Foundation
import Glibc

/// `flexyvisma audit anchor`: the chain's head hash, to be kept where whoever can write the root cannot.
///
/// `audit verify --anchor HASH` later proves the chain still passes through that hash: history
/// before it cannot have been rewritten and re-chained without the anchor falling off.
public enum AuditAnchor {
    /// `<time> <root> <head hash>`: one line for a file or syslog.
    public static func line(root: PipelineRoot, now: Date = Date()) throws -> (hash: String, line: String) {
        guard let head = try ManifestChain(root: root).head() else {
            throw OperatorMessage(.dataRejected, "the chain has no head yet: nothing to anchor")
        }
        return (head.sha256, "\(Timestamp.iso8601(now)) flexyvisma anchor root=\(root.url.path) head=\(head.sha256)")
    }

    /// Appends the line to a file outside the root (created 0644; never through a link).
    public static func append(_ line: String, to file: URL, root: PipelineRoot) throws {
        let target = file.standardizedFileURL.resolvingSymlinksInPath().path
        let rootPath = root.url.standardizedFileURL.resolvingSymlinksInPath().path
        guard target != rootPath, !target.hasPrefix(rootPath + "/") else {
            throw OperatorMessage(
                .usage,
                "\(file.path) is inside the root: an anchor must be kept where whoever can write the root cannot (another disk, host or user)"
            )
        }
        let descriptor = open(file.path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OperatorMessage(
                .configuration, "cannot write the anchor to \(file.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard StandardStream.write(Array((line + "\n").utf8), to: descriptor), fsync(descriptor) == 0 else {
            throw OperatorMessage(
                .temporaryFailure, "cannot write the anchor to \(file.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Sends the line to the system log (facility user, priority notice).
    public static func syslog(_ line: String) {
        // openlog keeps the identity pointer until closelog: it must outlive both.
        "flexyvisma".withCString { identity in
            openlog(identity, LOG_PID, LOG_USER)
            line.withCString { text in withVaList([text]) { vsyslog(LOG_NOTICE, "%s", $0) } }
            closelog()
        }
    }
}

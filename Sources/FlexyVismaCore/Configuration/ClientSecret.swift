import Foundation
import Glibc

/// The Visma client secret: from `FLEXYVISMA_CLIENT_SECRET`, or from a file only its owner can read.
///
/// The value is never printed: `description` is redacted so that string interpolation into a log
/// line or an error cannot leak it.
public struct ClientSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public static let environmentVariable = "FLEXYVISMA_CLIENT_SECRET"
    /// What `init` writes for the built-in simulator company.
    public static let simulatorDemoSecret = "flexyvisma-demo-secret"

    public let value: String

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }

    /// The value is registered with the log redaction layer, so it never reaches a log line as text either.
    public init(value: String) {
        self.value = value
        LogRedaction.register(value)
    }

    /// Loads the secret; a missing, empty or group/world-readable file is a configuration error.
    public static func load(
        for configuration: PipelineConfiguration, root: PipelineRoot,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ClientSecret {
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return ClientSecret(value: fromEnvironment)
        }
        let url = root.resolve(configuration.visma.clientSecretFile)
        let text = try SecretFile.read(url).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw OperatorMessage(.configuration, "\(url.path) is empty; it must hold the client secret")
        }
        return ClientSecret(value: text)
    }
}

/// Reads a file that holds a secret, refusing one that other users could read or change.
///
/// Accepted: a regular file owned by the process's user with no group or other bits (0600, 0400);
/// or, as container runtimes mount secrets, a file owned by root that nobody may write, readable
/// at most by root and by a group the process runs in (0400, 0440). The checks are made on the
/// opened file (`fstat`), so a link cannot swap the file between check and read.
enum SecretFile {
    static let maximumBytes = 64 * 1024

    static func read(_ url: URL) throws -> String {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else {
            throw OperatorMessage(
                .configuration,
                "no client secret: set \(ClientSecret.environmentVariable) or create \(url.path) (mode 0600) (\(String(cString: strerror(errno))))"
            )
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw OperatorMessage(
                .configuration, "\(url.path) is not a regular file; it must be a file holding the client secret")
        }
        if let problem = permissionProblem(
            path: url.path, mode: status.st_mode & 0o7777, owner: status.st_uid, group: status.st_gid)
        {
            throw OperatorMessage(.configuration, problem)
        }
        var bytes = [UInt8](repeating: 0, count: maximumBytes + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes {
                Glibc.read(descriptor, $0.baseAddress.map { $0 + count }, $0.count - count)
            }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { break }
            count += got
        }
        guard count <= maximumBytes, let text = String(validating: bytes.prefix(count), as: UTF8.self) else {
            throw OperatorMessage(
                .configuration, "\(url.path) does not hold a client secret (not UTF-8 text of at most 64 KiB)")
        }
        return text
    }

    /// Why a secret file with this mode and owner is not private enough, with the fix; nil when it is.
    static func permissionProblem(
        path: String, mode: mode_t, owner: uid_t, group: gid_t, user: uid_t = geteuid(),
        groups: Set<gid_t> = processGroups()
    ) -> String? {
        let octal = String(mode, radix: 8)
        // A container secret: root's, read-only, shared at most with a group this process is in.
        let containerSecret =
            owner == 0 && mode & 0o7333 == 0 && mode & 0o004 == 0 && (mode & 0o040 == 0 || groups.contains(group))
        if containerSecret { return nil }
        if owner == 0, user != 0 {
            return
                "\(path) is root's file with mode \(octal); a root-owned secret must be read-only and not readable by others (0400, or 0440 with a group this user is in)"
        }
        guard owner == user else {
            return
                "\(path) belongs to another user (uid \(owner)); run `chown $(id -un) \(path)` as root, or set \(ClientSecret.environmentVariable)"
        }
        guard mode & 0o077 == 0 else {
            return "\(path) can be read by other users (mode \(octal)); run `chmod 600 \(path)`"
        }
        return nil
    }

    static func processGroups() -> Set<gid_t> {
        var groups = Set([getegid(), getgid()])
        let count = getgroups(0, nil)
        if count > 0 {
            var list = [gid_t](repeating: 0, count: Int(count))
            let got = getgroups(count, &list)
            if got > 0 { groups.formUnion(list.prefix(Int(got))) }
        }
        return groups
    }
}

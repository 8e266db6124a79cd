import Foundation
import Glibc

/// Reads a small file that is not part of a batch (a roots list, a metrics file to be replaced)
/// through the hardened opening: no link followed, no FIFO or device waited on, a size limit.
public enum SmallFile {
    /// Whose file it may be.
    public enum Owner: Sendable {
        case anyone
        /// This process's user, or root (as Kubernetes mounts a ConfigMap); in both cases writable by no one else.
        case usOrRoot
    }

    /// `followingLinks`: a symbolic link is followed (Kubernetes mounts ConfigMaps and Secrets as links);
    /// what is checked is the opened file (`fstat`), as for the client secret.
    public static func read(
        _ url: URL, maximumBytes: Int, owner: Owner = .anyone, followingLinks: Bool = false
    ) throws -> Data {
        let file = try followingLinks ? openFollowingLinks(url) : RegularFile.open(url)
        defer { close(file.descriptor) }
        if owner == .usOrRoot {
            var status = stat()
            guard fstat(file.descriptor, &status) == 0 else { throw FileFailure(operation: "inspect", path: url.path) }
            if let problem = ownershipProblem(path: url.path, owner: status.st_uid, mode: status.st_mode & 0o7777) {
                throw OperatorMessage(.configuration, problem)
            }
        }
        var data = Data()
        _ = try file.readChunks(path: url.path) { chunk in
            guard data.count + chunk.count <= maximumBytes else {
                throw OperatorMessage(.configuration, "\(url.path) is larger than \(maximumBytes) bytes")
            }
            data.append(contentsOf: chunk)
        }
        return data
    }

    private static func openFollowingLinks(_ url: URL) throws -> RegularFile {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { throw FileFailure(operation: "open", path: url.path) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw FileFailure(operation: "inspect", path: url.path)
        }
        if let reason = NotARegularFile.reason(status, singleLink: false) {
            close(descriptor)
            throw NotARegularFile(path: url.path, reason: reason)
        }
        return RegularFile(
            descriptor: descriptor, identity: FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)))
    }

    /// Why a file with this owner and mode may not steer us, with the fix; nil when it may.
    static func ownershipProblem(path: String, owner: uid_t, mode: mode_t, user: uid_t = geteuid()) -> String? {
        guard owner == user || owner == 0 else {
            return "\(path) belongs to another user (uid \(owner)); it must be this user's (uid \(user)) or root's"
        }
        guard mode & 0o022 == 0 else {
            return "\(path) can be changed by other users (mode \(String(mode, radix: 8))); run `chmod go-w \(path)`"
        }
        return nil
    }
}

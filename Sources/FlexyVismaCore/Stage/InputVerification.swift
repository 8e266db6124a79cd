import Foundation
import Glibc

/// The files a stage reads, as the stage before it recorded them in its manifest.
public struct ExpectedInputs: Sendable {
    /// The stage whose manifest lists the files (named in the halt).
    public var recordedBy: StageManifest.Stage
    /// Paths relative to the batch folder, with the size and SHA-256 recorded then.
    public var files: [FileRecord]
    /// Folders (relative to the batch folder, "" for the folder itself) in which a file the stage would read
    /// (`isInput`) but that is not in `files` was added afterwards.
    public var watchedFolders: [String]
    /// Whether a file name in a watched folder is one the stage would read.
    public var isInput: @Sendable (String) -> Bool

    public init(
        recordedBy: StageManifest.Stage, files: [FileRecord], watchedFolders: [String],
        isInput: @escaping @Sendable (String) -> Bool
    ) {
        self.recordedBy = recordedBy
        self.files = files
        self.watchedFolders = watchedFolders
        self.isInput = isInput
    }
}

/// Re-hashes a stage's inputs against the previous stage's manifest before the stage reads them (docs/ARCHITECTURE.md, "Manifests and the audit chain").
public enum InputVerification {
    /// The rule id of a batch whose files changed after the stage before recorded them.
    public static let rule = PipelineRule.inputChanged.id

    /// One finding per file that changed, went missing, is no longer a regular file, or was added; empty when all match.
    ///
    /// A file that is there but cannot be read (an I/O error, no descriptors left) is no finding: that `FileFailure`
    /// is thrown (exit 75, no halt), since the batch is not at fault and the next run reads it again.
    public static func check(_ expected: ExpectedInputs, in folder: URL) throws -> [Finding] {
        var findings: [Finding] = []
        var known: Set<String> = []
        for file in expected.files {
            known.insert(file.path)
            let url = folder.appendingPathComponent(file.path)
            let recorded = "sha256 \(file.sha256) (\(file.bytes) bytes)"
            guard isRegularFile(url) else {
                let what =
                    FileManager.default.fileExists(atPath: url.path) ? "is no longer a regular file" : "is missing"
                findings.append(
                    finding(
                        file.path, "\(file.path) \(what); \(expected.recordedBy.rawValue) recorded \(recorded)",
                        expected))
                continue
            }
            let now: FileDigest
            do {
                now = try DurableFiles.digest(of: url)
            } catch let refused as NotARegularFile {
                findings.append(
                    finding(
                        file.path,
                        "\(file.path) cannot be read (\(refused.reason)); \(expected.recordedBy.rawValue) recorded \(recorded)",
                        expected))
                continue
            }
            if now.sha256 != file.sha256 || now.bytes != file.bytes {
                findings.append(
                    finding(
                        file.path,
                        "\(file.path) changed after \(expected.recordedBy.rawValue): it recorded \(recorded), it is now sha256 \(now.sha256) (\(now.bytes) bytes)",
                        expected))
            }
        }
        for relative in expected.watchedFolders {
            let url = relative.isEmpty ? folder : folder.appendingPathComponent(relative)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
            for name in names where expected.isInput(name) {
                let path = relative.isEmpty ? name : "\(relative)/\(name)"
                guard !known.contains(path) else { continue }
                let digest =
                    (try? DurableFiles.digest(of: url.appendingPathComponent(name))).map {
                        "sha256 \($0.sha256) (\($0.bytes) bytes)"
                    } ?? "unreadable"
                findings.append(
                    finding(
                        path,
                        "\(path) was added after \(expected.recordedBy.rawValue) (it recorded no such file; it is now \(digest))",
                        expected))
            }
        }
        return findings
    }

    private static func finding(_ path: String, _ message: String, _ expected: ExpectedInputs) -> Finding {
        let fix =
            expected.recordedBy == .validate
            ? "put the file back as it was, or discard the batch and drop it again so that it is validated"
            : "put the file back as it was, or discard the batch and export it again; files between stages are not edited by hand"
        return Finding(rule: rule, message: message, file: path, hint: fix)
    }

    /// A regular file itself, not a link to one.
    private static func isRegularFile(_ url: URL) -> Bool {
        var status = stat()
        guard lstat(url.path, &status) == 0 else { return false }
        return (status.st_mode & S_IFMT) == S_IFREG
    }
}

import Foundation

/// The hash chain over all manifests of a root: each manifest names the SHA-256 of the one before.
///
/// The head (hash and place of the newest manifest) lives in `state/chain-head.json`. Writers work
/// inside `withLock`, so two stages never point at the same predecessor. A manifest is first
/// recorded as pending, then published (written, its batch folder moved into place), then made
/// the head; a crash in between is settled the next time anyone takes the lock: the pending
/// manifest becomes the head only if it really was published.
public struct ManifestChain: Sendable {
    public let root: PipelineRoot

    public init(root: PipelineRoot) { self.root = root }

    /// Where a manifest is: its batch and file name (the batch folder moves along the pipeline).
    public struct Link: VersionedStateFile, Sendable, Equatable {
        public static let schemaVersion = 1

        public var sha256: String
        public var batchId: BatchID
        public var fileName: String
        /// Root-relative place of a link that is not a stage manifest in a batch folder (a prune record).
        public var path: String?

        public init(sha256: String, batchId: BatchID, fileName: String, path: String? = nil) {
            self.sha256 = sha256
            self.batchId = batchId
            self.fileName = fileName
            self.path = path
        }
    }

    var headFile: URL { root.state.appendingPathComponent("chain-head.json") }
    var pendingFile: URL { root.state.appendingPathComponent("chain-pending.json") }
    var lockFile: URL { root.state.appendingPathComponent("chain.lock") }

    /// The newest link: the recorded head, or a pending manifest that was published after all (a run that failed
    /// between publishing a manifest and recording it as the head, e.g. on a full disk, leaves it pending until the next
    /// writer settles it; readers such as `audit verify` and `audit anchor` must see it as the head already).
    public func head() throws -> Link? {
        if let pending: Link = try read(pendingFile), isPublished(pending) { return pending }
        return try read(headFile)
    }

    /// Whether the manifest (or record) a pending link names is in place with the hash the link names.
    private func isPublished(_ pending: Link) -> Bool {
        let place =
            pending.path.map { root.url.appendingPathComponent($0) }
            ?? root.locateBatch(pending.batchId).map { $0.appendingPathComponent(pending.fileName) }
        guard let url = place, let digest = try? DurableFiles.digest(of: url) else { return false }
        return digest.sha256 == pending.sha256
    }

    /// Runs `body` holding the chain lock, after settling anything a crash left pending.
    public func withLock<T>(purpose: String, _ body: (Session) throws -> T) throws -> T {
        let lock = try FileLock.acquire(lockFile, purpose: purpose)
        defer { withExtendedLifetime(lock) {} }
        try settlePending()
        return try body(Session(chain: self))
    }

    /// One holder's access to the chain.
    public struct Session {
        let chain: ManifestChain

        /// Sets `previous` to the current head and encodes the manifest; nothing is written yet.
        public func link(_ manifest: StageManifest) throws -> (manifest: StageManifest, data: Data, sha256: String) {
            var linked = manifest
            linked.previous = try chain.head()?.sha256
            let data = try linked.encoded()
            return (linked, data, data.sha256Hex)
        }

        /// Records that this manifest is about to be published.
        public func prepare(_ link: Link) throws {
            try chain.write(link, to: chain.pendingFile)
        }

        /// Makes the published manifest the head.
        public func commit(_ link: Link) throws {
            try chain.write(link, to: chain.headFile)
            try? FileManager.default.removeItem(at: chain.pendingFile)
        }
    }

    /// Writes a record that is not a stage manifest (a prune) at a root-relative path, as the newest link.
    ///
    /// `encode` gets the current head's hash (the record's `previous`) and returns the record's bytes.
    public func publishRecord(at path: String, batchId: BatchID, encode: (String?) throws -> Data) throws -> Link {
        try withLock(purpose: "flexyvisma \(path)") { session in
            let data = try encode(try head()?.sha256)
            let url = root.url.appendingPathComponent(path)
            let link = Link(sha256: data.sha256Hex, batchId: batchId, fileName: url.lastPathComponent, path: path)
            try session.prepare(link)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try DurableFiles.writeAtomically(data, to: url)
            try session.commit(link)
            return link
        }
    }

    /// Writes a manifest into a batch folder that is already in place, as the newest link of the chain.
    public func publish(_ manifest: StageManifest, in folder: URL) throws -> StageManifest {
        try withLock(purpose: "flexyvisma-\(manifest.stage.rawValue) \(manifest.batchId)") { session in
            let linked = try session.link(manifest)
            let link = Link(sha256: linked.sha256, batchId: manifest.batchId, fileName: manifest.fileName)
            try session.prepare(link)
            try DurableFiles.writeAtomically(
                linked.data, to: folder.appendingPathComponent(manifest.fileName), permissions: FileModes.sharedFile)
            try session.commit(link)
            return linked.manifest
        }
    }

    private func settlePending() throws {
        guard let pending: Link = try read(pendingFile) else { return }
        if isPublished(pending) { try write(pending, to: headFile) }
        try FileManager.default.removeItem(at: pendingFile)
    }

    private func read(_ url: URL) throws -> Link? {
        try StateFiles.read(Link.self, from: url) { error in
            OperatorMessage(
                .internalError, "\(url.path) is damaged (\(error)); run `flexyvisma audit verify` before going on")
        }
    }

    private func write(_ link: Link, to url: URL) throws {
        try StateFiles.write(link, to: url)
    }
}

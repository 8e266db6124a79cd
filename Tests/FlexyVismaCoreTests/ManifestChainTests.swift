import FlexyVismaCore
import Foundation
import TestSupport
import Testing

@Suite struct ManifestChainTests {
    func makeRoot() throws -> (TemporaryFolder, PipelineRoot) {
        let folder = try TemporaryFolder()
        let root = PipelineRoot(folder.url)
        for url in root.folders { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        return (folder, root)
    }

    func manifest(_ id: BatchID) -> StageManifest {
        StageManifest(
            stage: .export, batchId: id, runId: "test", startedAt: Date(), finishedAt: Date(), status: .accepted)
    }

    /// Publishes a manifest into `inbox/<id>/` the way a stage does.
    func publish(_ id: BatchID, root: PipelineRoot, chain: ManifestChain, commit: Bool = true) throws -> String {
        try chain.withLock(purpose: "test") { session in
            let linked = try session.link(manifest(id))
            let link = ManifestChain.Link(sha256: linked.sha256, batchId: id, fileName: "export.manifest.json")
            try session.prepare(link)
            try FileManager.default.createDirectory(at: root.inboxFolder(id), withIntermediateDirectories: true)
            try DurableFiles.write(linked.data, to: root.inboxFolder(id).appendingPathComponent("export.manifest.json"))
            if commit { try session.commit(link) }
            return linked.sha256
        }
    }

    @Test func eachManifestPointsAtTheOneBefore() throws {
        let (folder, root) = try makeRoot()
        _ = folder
        let chain = ManifestChain(root: root)
        let first = BatchID.make()
        let second = BatchID.make()
        let firstHash = try publish(first, root: root, chain: chain)
        let secondHash = try publish(second, root: root, chain: chain)
        let written = try StageManifest.decode(
            Data(contentsOf: root.inboxFolder(second).appendingPathComponent("export.manifest.json")))
        #expect(written.previous == firstHash)
        #expect(try chain.head()?.sha256 == secondHash)
        let firstWritten = try StageManifest.decode(
            Data(contentsOf: root.inboxFolder(first).appendingPathComponent("export.manifest.json")))
        #expect(firstWritten.previous == nil)
    }

    @Test func aPublishedManifestLeftPendingByACrashBecomesTheHead() throws {
        let (folder, root) = try makeRoot()
        _ = folder
        let chain = ManifestChain(root: root)
        let crashed = BatchID.make()
        let hash = try publish(crashed, root: root, chain: chain, commit: false)
        // Readers see the published manifest as the head before any writer settles it (see the test below).
        #expect(try chain.head()?.sha256 == hash)
        let next = BatchID.make()
        _ = try publish(next, root: root, chain: chain)
        let written = try StageManifest.decode(
            Data(contentsOf: root.inboxFolder(next).appendingPathComponent("export.manifest.json")))
        #expect(written.previous == hash)
    }

    /// A stage that published its manifest and then could not record the head (a full disk: `state/chain-head.json`
    /// not written) exits 75; if nothing publishes after it, `audit verify` and `audit anchor` read the head without
    /// settling it, and the manifest must not look "not on the hash chain".
    @Test func aManifestPublishedButNotRecordedAsTheHeadIsTheHeadForReaders() throws {
        let (folder, root) = try makeRoot()
        _ = folder
        let chain = ManifestChain(root: root)
        let first = try publish(BatchID.make(), root: root, chain: chain)
        let second = try publish(BatchID.make(), root: root, chain: chain, commit: false)
        #expect(
            try String(contentsOf: root.state.appendingPathComponent("chain-head.json"), encoding: .utf8).contains(
                first))
        #expect(try chain.head()?.sha256 == second)
    }

    @Test func aPendingManifestThatNeverArrivedIsForgotten() throws {
        let (folder, root) = try makeRoot()
        _ = folder
        let chain = ManifestChain(root: root)
        let kept = BatchID.make()
        let keptHash = try publish(kept, root: root, chain: chain)
        try chain.withLock(purpose: "test") { session in
            try session.prepare(
                ManifestChain.Link(
                    sha256: String(repeating: "a", count: 64), batchId: BatchID.make(), fileName: "export.manifest.json"
                ))
        }
        let next = BatchID.make()
        _ = try publish(next, root: root, chain: chain)
        let written = try StageManifest.decode(
            Data(contentsOf: root.inboxFolder(next).appendingPathComponent("export.manifest.json")))
        #expect(written.previous == keptHash)
    }

    @Test func theChainLockIsExclusiveAndNamesItsHolder() throws {
        let (folder, root) = try makeRoot()
        _ = folder
        let lockFile = root.state.appendingPathComponent("other.lock")
        let held = try FileLock.acquire(lockFile, purpose: "nightly run")
        let error = #expect(throws: LockHeld.self) { try FileLock.acquire(lockFile, purpose: "second") }
        #expect(error?.exitStatus == .temporaryFailure)
        #expect(error?.description.contains("nightly run") == true)
        withExtendedLifetime(held) {}
    }
}

import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// The one lifecycle every stage runs through, proved with a stage that only says what it is told.
@Suite struct StageLifecycleTests {
    /// A transform-like stage: takes the oldest batch without a manifest and accepts or rejects it as told.
    struct ScriptedStage: SynchronousStageWork {
        let root: PipelineRoot
        var verdict: StageManifest.Status = .accepted
        var exit: FlexyVismaCore.ExitStatus?

        var stage: StageManifest.Stage { .transform }

        func nextBatch() throws -> StageSelection {
            for id in root.batchesInProgress() where StageManifest.read(.transform, in: root.batchFolder(id)) == nil {
                return .batch(id)
            }
            return .idle(summary: "nothing to transform")
        }

        func process(_ claim: BatchClaim) throws -> StageResult {
            var manifest = StageManifest(
                stage: .transform, batchId: claim.batchId, runId: "test", startedAt: claim.startedAt,
                finishedAt: Date(), status: verdict)
            if verdict == .rejected {
                manifest.rejections = [
                    Finding(rule: "test.refused", message: "refused on purpose", file: "items.csv", line: 3)
                ]
            }
            return StageResult(
                manifest: manifest, summary: "did \(claim.batchId)", exitStatus: exit,
                report: "batches/\(claim.batchId)/report.txt")
        }

        func idleDetails() {}
        func details(of result: StageResult, claim: BatchClaim) {}
    }

    func makeRoot() throws -> (TemporaryFolder, PipelineRoot, BatchID) {
        let folder = try TemporaryFolder()
        let root = PipelineRoot(folder.url)
        for url in root.folders { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        let id = BatchID.make()
        try FileManager.default.createDirectory(at: root.batchFolder(id), withIntermediateDirectories: true)
        return (folder, root, id)
    }

    @Test func anAcceptedBatchPublishesItsManifestWithTheExitOnTheChain() throws {
        let (folder, root, id) = try makeRoot()
        _ = folder
        let outcome = try StageLifecycle(root: root, runId: "test").run(ScriptedStage(root: root))
        #expect(outcome.exitStatus == .success)
        #expect(outcome.didWork)
        let written = try #require(StageManifest.read(.transform, in: root.batchFolder(id)))
        #expect(written.exitStatus == .success)
        #expect(try ManifestChain(root: root).head()?.fileName == "transform.manifest.json")
        #expect(try HaltRecord.current(in: root) == nil)
        // Nothing left: idle, and nothing new on the chain.
        let head = try ManifestChain(root: root).head()
        let idle = try StageLifecycle(root: root, runId: "test").run(ScriptedStage(root: root))
        #expect(!idle.didWork)
        #expect(idle.summary == "nothing to transform")
        #expect(try ManifestChain(root: root).head() == head)
    }

    @Test func aRejectionHaltsAndAHaltedPipelineRefusesEveryStageButTheRetry() throws {
        let (folder, root, id) = try makeRoot()
        _ = folder
        let rejected = try StageLifecycle(root: root, runId: "test").run(ScriptedStage(root: root, verdict: .rejected))
        #expect(rejected.exitStatus == .dataRejected)
        let halt = try #require(try HaltRecord.current(in: root))
        #expect(halt.batchId == id)
        #expect(halt.stage == .transform)
        #expect(halt.first?.rule == "test.refused")
        #expect(halt.report == "batches/\(id)/report.txt")
        #expect(StageManifest.read(.transform, in: root.batchFolder(id))?.exitStatus == .dataRejected)

        do {
            _ = try StageLifecycle(root: root, runId: "test").run(ScriptedStage(root: root))
            Issue.record("a halted pipeline let a stage work")
        } catch let failure as OperatorMessage {
            #expect(failure.exitStatus == .haltedEarlier)
        }

        let retried = try StageLifecycle(root: root, runId: "test", retry: true).run(ScriptedStage(root: root))
        #expect(retried.exitStatus == .success)
        #expect(try HaltRecord.current(in: root) == nil)
        // The refused attempt is kept beside the accepted one, and both are on the chain.
        let kept = try #require(StageManifest.read("transform.manifest.attempt-1.json", in: root.batchFolder(id)))
        #expect(kept.status == .rejected)
        let accepted = try #require(StageManifest.read(.transform, in: root.batchFolder(id)))
        #expect(
            accepted.previous
                == (try Data(
                    contentsOf: root.batchFolder(id).appendingPathComponent("transform.manifest.attempt-1.json")))
                .sha256Hex)
    }

    @Test func aRetryWithoutAHaltIsAUsageError() throws {
        let (folder, root, _) = try makeRoot()
        _ = folder
        do {
            _ = try StageLifecycle(root: root, runId: "test", retry: true).run(ScriptedStage(root: root))
            Issue.record("a retry without a halt went ahead")
        } catch let failure as OperatorMessage {
            #expect(failure.exitStatus == .usage)
        }
    }

    @Test func aFailedBatchNeitherHaltsNorClearsAndExitsTemporary() throws {
        let (folder, root, id) = try makeRoot()
        _ = folder
        let outcome = try StageLifecycle(root: root, runId: "test").run(ScriptedStage(root: root, verdict: .failed))
        #expect(outcome.exitStatus == .temporaryFailure)
        #expect(try HaltRecord.current(in: root) == nil)
        #expect(StageManifest.read(.transform, in: root.batchFolder(id))?.exitStatus == .temporaryFailure)
    }

    @Test func aSecondRunOfTheSameStageIsRefusedWhileTheFirstHoldsItsLock() throws {
        let (folder, root, _) = try makeRoot()
        _ = folder
        let held = try FileLock.acquire(
            StageLifecycle.lockFile(of: .transform, in: root), purpose: "the first transform")
        defer { withExtendedLifetime(held) {} }
        do {
            _ = try StageLifecycle(root: root, runId: "test").run(ScriptedStage(root: root))
            Issue.record("a second transform ran beside the first")
        } catch let failure as LockHeld {
            #expect(failure.exitStatus == .temporaryFailure)
            #expect(failure.description.contains("the first transform"))
        }
        #expect(try ManifestChain(root: root).head() == nil)
    }
}

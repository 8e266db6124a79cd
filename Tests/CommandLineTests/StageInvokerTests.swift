import FlexyVismaCore
import Foundation
import GRDB
import PipelineOperations
import TestSupport
import Testing

/// `flexyvisma run` learns what each stage process did from the manifest it published on the
/// chain: whether it worked on a batch, its status and its exit — never from what it printed.
@Suite struct StageInvokerTests {
    let folder: TemporaryFolder
    let root: PipelineRoot
    let stages: StageInvoker
    let reference: URL

    init() throws {
        folder = try TemporaryFolder("flexyvisma-invoker")
        root = PipelineRoot(folder.path("venue"))
        let initialised = try ChildProcess.run(ChildProcess.executable("flexyvisma"), ["init", root.url.path])
        #expect(initialised.status == 0, "\(initialised)")
        try Repository.buildSampleVenue(at: root.resolve("source/flexybox.sqlite"))
        stages = StageInvoker(folder: ChildProcess.productsFolder, root: root, runId: "invoker-test")
        reference = folder.path("reference.json")
        try SampleVisma.reference().encoded().write(to: reference)
    }

    func applyCorrections() throws {
        let corrections = try String(
            contentsOf: Repository.samples.appendingPathComponent("venue/corrections.sql"), encoding: .utf8)
        try DatabaseQueue(path: root.resolve("source/flexybox.sqlite").path).writeWithoutTransaction {
            try $0.execute(sql: corrections)
        }
    }

    @Test func eachStageThatWorkedIsKnownByItsManifestAndAnIdleOneByNone() throws {
        try applyCorrections()
        let exported = try stages.run("export")
        #expect(exported.status == 0)
        #expect(exported.manifest?.stage == .export)
        #expect(!exported.idle)
        #expect(try stages.run("export").idle)

        let validated = try stages.run("validate", ["--reference", reference.path])
        #expect(validated.status == 0)
        #expect(validated.manifest?.stage == .validate)
        #expect(validated.manifest?.status == .accepted)
        #expect(validated.manifest?.exitStatus == .success)

        let transformed = try stages.run("transform")
        #expect(transformed.manifest?.stage == .transform)
        #expect(transformed.manifest?.batchId == validated.manifest?.batchId)
        let again = try stages.run("transform")
        #expect(again.status == 0)
        #expect(again.idle)
    }

    @Test func aRejectionIsReadFromTheManifestAndTheHaltStopsTheNextStage() throws {
        #expect(try stages.run("export").status == 0)
        let validated = try stages.run("validate", ["--reference", reference.path])
        #expect(validated.status == ExitStatus.dataRejected.rawValue)
        #expect(validated.manifest?.status == .rejected)
        #expect(validated.manifest?.exitStatus == .dataRejected)
        #expect(validated.manifest?.rejections.first?.rule == "customer.missing-required")

        let transformed = try stages.run("transform")
        #expect(transformed.status == ExitStatus.haltedEarlier.rawValue)
        #expect(transformed.idle)
    }
}

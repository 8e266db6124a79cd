import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// The stage executables as real child processes: exit codes, atomicity under SIGKILL, dispatch.
@Suite struct ExportProcessTests {
    let folder: TemporaryFolder
    let root: PipelineRoot

    init() throws {
        folder = try TemporaryFolder("flexyvisma-cli")
        root = PipelineRoot(folder.path("venue"))
        let initialised = try ChildProcess.run(ChildProcess.executable("flexyvisma"), ["init", root.url.path])
        #expect(initialised.status == 0, "\(initialised)")
        try Repository.buildSampleVenue(at: root.resolve("source/flexybox.sqlite"))
    }

    func visibleBatches() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.inbox.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func umbrellaAndStageExecutableBothExport() throws {
        let viaUmbrella = try ChildProcess.run(
            ChildProcess.executable("flexyvisma"), ["export", "--root", root.url.path, "--day", "2026-11-27"])
        #expect(viaUmbrella.status == 0, "\(viaUmbrella)")
        #expect(viaUmbrella.standardOutput.contains("exported batch"))
        let direct = try ChildProcess.run(
            ChildProcess.executable("flexyvisma-export"), ["--root", root.url.path, "--day", "2026-11-28"])
        #expect(direct.status == 0, "\(direct)")
        #expect(try visibleBatches().count == 2)
        // Logs are JSON lines in logs/.
        let logs = try FileManager.default.contentsOfDirectory(atPath: root.logs.path)
        #expect(logs.contains { $0.hasSuffix(".jsonl") })
    }

    @Test func exitCodesFollowTheContract() throws {
        let export = ChildProcess.executable("flexyvisma-export")
        #expect(try ChildProcess.run(export, ["--root", root.url.path, "--day", "2026-11-31"]).status == 64)
        #expect(try ChildProcess.run(export, ["--root", folder.path("nowhere").path]).status == 78)
        #expect(try ChildProcess.run(export, ["--root", root.url.path, "--day", "2026-11-28"]).status == 0)
        let again = try ChildProcess.run(export, ["--root", root.url.path, "--day", "2026-11-28"])
        #expect(again.status == 64)
        #expect(again.standardError.contains("--force"))
        try Data("not a database".utf8).write(to: root.resolve("source/flexybox.sqlite"))
        let corrupt = try ChildProcess.run(export, ["--root", root.url.path, "--day", "2026-11-27"])
        #expect(corrupt.status == 65, "\(corrupt)")
        #expect(corrupt.standardError.contains("flexybox.sqlite"))
    }

    /// A kill at the worst moment (every file written, rename not done) leaves nothing visible;
    /// the next export cleans up and exports the same days.
    @Test func killDuringExportLeavesNoPartialBatchAndTheExportCanBeRerun() throws {
        let export = ChildProcess.executable("flexyvisma-export")
        let running = try ChildProcess.start(
            export, ["--root", root.url.path], environment: ["FLEXYVISMA_FAULT": "stall-before-publish"])
        // Wait (without a deadline assertion) until the export has written its state and stalls.
        let stateFile = root.state.appendingPathComponent("export.json")
        while !(FileManager.default.contents(atPath: stateFile.path).map {
            String(decoding: $0, as: UTF8.self).contains("pending")
        } ?? false) {
            guard running.process.isRunning else { break }
            usleep(20_000)
        }
        running.kill()
        #expect(try visibleBatches().isEmpty)
        let hidden = try FileManager.default.contentsOfDirectory(atPath: root.inbox.path).filter { $0.hasPrefix(".") }
        #expect(hidden.count == 1)

        let rerun = try ChildProcess.run(export, ["--root", root.url.path])
        #expect(rerun.status == 0, "\(rerun)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root.inbox.path).filter { $0.hasPrefix(".") }.isEmpty)
        let batches = try visibleBatches()
        #expect(batches.count == 1)
        let manifest = try StageManifest.decode(
            Data(
                contentsOf: root.inbox.appendingPathComponent(batches[0]).appendingPathComponent("export.manifest.json")
            ))
        #expect(manifest.export?.businessDays.first == "2026-11-22")
        #expect(manifest.previous == nil)
    }

    @Test func initRefusesToOverwriteAndKeepsTheSecretPrivate() throws {
        let again = try ChildProcess.run(ChildProcess.executable("flexyvisma"), ["init", root.url.path])
        #expect(again.status == 64)
        #expect(again.standardError.contains("already exists"))
        let attributes = try FileManager.default.attributesOfItem(
            atPath: root.secrets.appendingPathComponent("client-secret").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let config = try String(contentsOf: root.configFile, encoding: .utf8)
        #expect(!config.contains(ClientSecret.simulatorDemoSecret))
        #expect(try PipelineConfiguration.load(from: root).visma.baseURL == "http://127.0.0.1:18080")
    }

    @Test func unknownCommandIsAUsageError() throws {
        let result = try ChildProcess.run(ChildProcess.executable("flexyvisma"), ["frobnicate"])
        #expect(result.status == 64)
    }

    @Test func versionReportsLibcurlWithTLS() throws {
        let result = try ChildProcess.run(ChildProcess.executable("flexyvisma"), ["version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("libcurl"))
        #expect(result.standardOutput.contains("OpenSSL"))
        #expect(result.standardOutput.contains("export"))
    }
}

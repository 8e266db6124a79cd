import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// `flexyvisma validate` as a child process against the simulator: the sample week is rejected for
/// its incomplete customers, the halt holds, and the reason is on stderr.
@Suite struct ValidateProcessTests {
    @Test func theSampleWeekIsRejectedForItsBadCustomersAndThePipelineHalts() async throws {
        try await RunningSimulator.with { simulator in
            let folder = try TemporaryFolder("flexyvisma-validate-cli")
            let root = PipelineRoot(folder.path("venue"))
            let umbrella = ChildProcess.executable("flexyvisma")
            #expect(
                try ChildProcess.run(umbrella, ["init", root.url.path, "--visma-url", simulator.baseURL]).status == 0)
            try Repository.buildSampleVenue(at: root.resolve("source/flexybox.sqlite"))
            #expect(
                try await offCooperativePool { try ChildProcess.run(umbrella, ["export", "--root", root.url.path]) }
                    .status == 0)
            var configuration = try PipelineConfiguration.load(from: root)
            configuration.pipeline.settleSeconds = 0
            try configuration.encoded().write(to: root.configFile)

            // Child processes that talk to the in-process simulator run off the cooperative pool it needs.
            let first = try await offCooperativePool {
                try ChildProcess.run(umbrella, ["validate", "--root", root.url.path])
            }
            #expect(first.status == 65, "\(first)")
            #expect(
                first.standardError.contains(
                    "customers.csv:18:5: error[customer.missing-required]: postal_code is required"))
            #expect(first.standardOutput.contains("rejected: 6 finding(s)"))
            let second = try await offCooperativePool {
                try ChildProcess.run(ChildProcess.executable("flexyvisma-validate"), ["--root", root.url.path])
            }
            #expect(second.status == 69)
            #expect(second.standardError.contains("the pipeline is halted"))
            // The secret never reaches a log, a manifest or the report.
            for folder in [root.logs, root.batches] {
                let files =
                    FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects as? [URL]
                    ?? []
                for file in files where !file.hasDirectoryPath {
                    let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
                    #expect(!text.contains(ClientSecret.simulatorDemoSecret), "\(file.path)")
                }
            }
        }
    }
}

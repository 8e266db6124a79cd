import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// A broken `flexyvisma.json` stops every command at load (exit 78), and `config check` shows the
/// configuration the pipeline acts on.
@Suite struct ConfigCommandTests {
    let folder: TemporaryFolder
    let root: PipelineRoot
    let umbrella = ChildProcess.executable("flexyvisma")

    init() throws {
        folder = try TemporaryFolder("flexyvisma-config")
        root = PipelineRoot(folder.path("venue"))
        let result = try ChildProcess.run(umbrella, ["init", root.url.path])
        #expect(result.status == 0, "\(result)")
    }

    func edit(_ old: String, _ new: String) throws {
        let text = try String(contentsOf: root.configFile, encoding: .utf8)
        #expect(text.contains(old))
        try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: root.configFile)
    }

    @Test func everyCommandRefusesAMisspeltValueWithExit78() throws {
        try edit(#""dailyJournal""#, #""journalPerReciept""#)
        let expected =
            "\(root.configFile.path): pipeline.receiptsPosting: 'journalPerReciept' is not one of dailyJournal, journalPerReceipt — did you mean 'journalPerReceipt'?"
        let runs = [
            try ChildProcess.run(umbrella, ["status", "--root", root.url.path]),
            try ChildProcess.run(umbrella, ["config", "check", "--root", root.url.path]),
            try ChildProcess.run(ChildProcess.executable("flexyvisma-validate"), ["--root", root.url.path]),
            try ChildProcess.run(
                ChildProcess.executable("flexyvisma-export"), ["--root", root.url.path, "--since-last"]),
            try ChildProcess.run(ChildProcess.executable("flexyvisma-transform"), ["--root", root.url.path]),
            try ChildProcess.run(ChildProcess.executable("flexyvisma-upload"), ["--root", root.url.path]),
            try ChildProcess.run(umbrella, ["run", "--root", root.url.path]),
            try ChildProcess.run(umbrella, ["plan", "--root", root.url.path]),
            try ChildProcess.run(umbrella, ["audit", "verify", "--root", root.url.path]),
            try ChildProcess.run(umbrella, ["archive", "prune", "--dry-run", "--root", root.url.path]),
            try ChildProcess.run(
                umbrella, ["discard", BatchID.make().rawValue, "--reason", "typo", "--root", root.url.path]),
        ]
        for result in runs {
            #expect(result.status == ExitStatus.configuration.rawValue, "\(result)")
            #expect(result.standardError.contains(expected), "\(result)")
        }
    }

    @Test func statusRefusesAnUnknownKeyInADepartmentWithExit78() throws {
        try edit(#""branch" : "1""#, #""brnch" : "1""#)
        let result = try ChildProcess.run(umbrella, ["status", "--root", root.url.path])
        #expect(result.status == ExitStatus.configuration.rawValue, "\(result)")
        #expect(
            result.standardError.contains(
                "departments.Café.brnch: unknown key; departments.Café takes branch, enabled, warehouse — did you mean 'branch'?"
            ), "\(result)")
    }

    @Test func configCheckPrintsTheEffectiveConfigurationWithItsDefaults() throws {
        let result = try ChildProcess.run(umbrella, ["config", "check", "--root", root.url.path])
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput.contains(#""metricsFile" : "state/metrics.prom""#), "\(result)")
        #expect(result.standardOutput.contains(#""repeatWhileHalted" : false"#), "\(result)")
        #expect(result.standardOutput.contains(#""command" : null"#), "\(result)")
        let effective = try JSONValue.parse(Data(result.standardOutput.utf8))
        #expect(effective["pipeline"]?["receiptsPosting"] == "dailyJournal")
    }
}

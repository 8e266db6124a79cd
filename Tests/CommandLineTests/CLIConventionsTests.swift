import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// What operators expect of every command line: --version, the stages in --help, FLEXYVISMA_ROOT,
/// JSON log lines, templates for hand drops — each proved on the built executables as child processes.
@Suite struct CLIConventionsTests {
    static let executables = [
        "flexyvisma", "flexyvisma-export", "flexyvisma-validate", "flexyvisma-transform", "flexyvisma-upload",
        "visma-simulator",
    ]
    let umbrella = ChildProcess.executable("flexyvisma")

    /// A root made by `flexyvisma init`, offline: no source database, validated against a saved snapshot.
    struct OfflineRoot: @unchecked Sendable {
        let folder: TemporaryFolder
        let root: PipelineRoot

        init(_ name: String = "cli") throws {
            folder = try TemporaryFolder("flexyvisma-\(name)")
            root = PipelineRoot(folder.path("venue"))
            let made = try ChildProcess.run(
                ChildProcess.executable("flexyvisma"), ["init", root.url.path, "--visma-url", "http://127.0.0.1:9"])
            #expect(made.status == 0, "\(made)")
            var configuration = try PipelineConfiguration.load(from: root)
            configuration.pipeline.settleSeconds = 0
            configuration.source = nil
            try configuration.encoded().write(to: root.configFile)
        }

        func writeReference(_ reference: ReferenceSnapshot) throws -> URL {
            let url = folder.path("reference.json")
            try reference.encoded().write(to: url)
            return url
        }
    }

    @Test(arguments: executables)
    func everyExecutablePrintsItsNameAndVersion(_ name: String) throws {
        let result = try ChildProcess.run(ChildProcess.executable(name), ["--version"])
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput == "\(name) \(FlexyVismaVersion.current)\n")
    }

    @Test func theUmbrellaHelpListsEveryStageAndTheStageHelpCarriesItsOptions() throws {
        let help = try ChildProcess.run(umbrella, ["--help"])
        #expect(help.status == 0)
        for (stage, abstract) in [
            ("export", "Export FlexyBox data"), ("validate", "Take the oldest ready drop"),
            ("transform", "Turn the oldest validated batch"), ("upload", "Send the oldest transformed batch"),
        ] {
            #expect(
                help.standardOutput.contains("  \(stage) ") && help.standardOutput.contains(abstract),
                "\(stage): \(help)")
        }
        #expect(!help.standardOutput.contains("added later"))
        // Dispatched to flexyvisma-export, whose own help lists its options.
        let export = try ChildProcess.run(umbrella, ["export", "--help"])
        #expect(
            export.standardOutput.contains("--since-last") && export.standardOutput.contains("--log-format"),
            "\(export)")
        let completion = try ChildProcess.run(umbrella, ["--generate-completion-script", "bash"])
        #expect(
            completion.standardOutput.contains("--since-last") && completion.standardOutput.contains("--roots-file"))
    }

    @Test func theRootComesFromFLEXYVISMA_ROOTWhenRootIsNotGiven() throws {
        let venue = try OfflineRoot()
        let status = try ChildProcess.run(umbrella, ["status"], environment: ["FLEXYVISMA_ROOT": venue.root.url.path])
        #expect(status.status == 0, "\(status)")
        #expect(status.standardOutput.contains("not halted"))
        let stage = try ChildProcess.run(
            ChildProcess.executable("flexyvisma-transform"), [], environment: ["FLEXYVISMA_ROOT": venue.root.url.path])
        #expect(stage.status == 0, "\(stage)")
        // --root wins over the variable.
        let elsewhere = try ChildProcess.run(
            umbrella, ["status", "--root", venue.folder.path("nothing").path],
            environment: ["FLEXYVISMA_ROOT": venue.root.url.path])
        #expect(elsewhere.status == 78, "\(elsewhere)")
        let neither = try ChildProcess.run(umbrella, ["status"], environment: ["FLEXYVISMA_ROOT": ""])
        #expect(neither.status == 64)
        #expect(neither.standardError.contains("--root ROOT, or set FLEXYVISMA_ROOT"), "\(neither)")
    }

    /// A rejected drop whose bad country is the client secret: every stderr line is a JSON object, none holds the secret.
    @Test(arguments: [["--log-format", "json"], []])
    func jsonLogLinesParseAndNeverCarryTheSecret(_ flag: [String]) throws {
        let secret = "S3cr3t" + UUID().uuidString.prefix(8)
        let venue = try OfflineRoot("jsonlog")
        let reference = try venue.writeReference(SampleVisma.reference())
        let drop =
            "customer_number;name;address_line1;postal_code;city;country\r\nK-9;Kunde;Vej 1;5000;Odense;\(secret)\r\n"
        try Data(drop.utf8).write(to: venue.root.inbox.appendingPathComponent("customers.csv"))
        let environment = [
            "FLEXYVISMA_CLIENT_SECRET": secret, "FLEXYVISMA_LOG_FORMAT": flag.isEmpty ? "json" : "human",
        ]
        let result = try ChildProcess.run(
            ChildProcess.executable("flexyvisma-validate"),
            ["--root", venue.root.url.path, "--reference", reference.path] + flag,
            environment: environment)
        #expect(result.status == 65, "\(result)")
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count >= 2)
        var sawLogger = false
        for line in lines {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["time"] is String && object["level"] is String && object["message"] is String, "\(line)")
            #expect(object["stage"] as? String == "flexyvisma-validate", "\(line)")
            #expect(object["metadata"] is [String: Any], "\(line)")
            if let metadata = object["metadata"] as? [String: Any], metadata["run"] != nil { sawLogger = true }
        }
        #expect(sawLogger, "no logger line among \(lines)")
        #expect(result.standardError.contains("ISO 3166") && result.standardError.contains("<redacted>"), "\(result)")
        #expect(!result.standardError.contains(secret))
        #expect(!result.standardOutput.contains(secret))
        for log in try FileManager.default.contentsOfDirectory(at: venue.root.logs, includingPropertiesForKeys: nil) {
            #expect(!(try String(contentsOf: log, encoding: .utf8)).contains(secret))
        }
    }

    @Test func aWrongLogFormatIsAUsageError() throws {
        let venue = try OfflineRoot()
        let result = try ChildProcess.run(
            umbrella, ["status", "--root", venue.root.url.path], environment: ["FLEXYVISMA_LOG_FORMAT": "xml"])
        #expect(result.status == 64, "\(result)")
    }
}

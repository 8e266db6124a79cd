import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaSimulator

/// `flexyvisma doctor` as a child process: its lines, `--json`, and its exit codes 0, 78 and 75.
@Suite struct DoctorCommandTests {
    let umbrella = ChildProcess.executable("flexyvisma")

    func root(_ folder: TemporaryFolder, vismaURL: String) throws -> PipelineRoot {
        let root = PipelineRoot(folder.path("venue"))
        let result = try ChildProcess.run(umbrella, ["init", root.url.path, "--visma-url", vismaURL])
        #expect(result.status == 0, "\(result)")
        return root
    }

    @Test func theSampleCompanyPassesWithExit0AndTheJSONSaysSo() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let folder = try TemporaryFolder("flexyvisma-doctor")
            let root = try root(folder, vismaURL: simulator.baseURL)
            let umbrella = umbrella
            let text = try await offCooperativePool {
                try ChildProcess.run(umbrella, ["doctor", "--root", root.url.path])
            }
            #expect(text.status == 0, "\(text)")
            #expect(text.standardOutput.contains("✓ Visma Connect issued a token"), "\(text)")
            #expect(text.standardOutput.contains("Enable/disable functionalities (CS100000)"))
            #expect(text.standardOutput.hasSuffix("All checks passed.\n"))
            let json = try await offCooperativePool {
                try ChildProcess.run(umbrella, ["doctor", "--json", "--root", root.url.path])
            }
            #expect(json.status == 0)
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
            #expect(report["exitStatus"] as? Int == 0)
            #expect(report["passed"] as? Bool == true)
            #expect((report["checks"] as? [[String: Any]])?.count == 13)
        }
    }

    @Test func aWrongSecretEndsIn78WithTheFix() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let folder = try TemporaryFolder("flexyvisma-doctor")
            let root = try root(folder, vismaURL: simulator.baseURL)
            try DurableFiles.write(
                Data("wrong-secret\n".utf8), to: root.resolve("secrets/client-secret"), permissions: 0o600)
            let umbrella = umbrella
            let result = try await offCooperativePool {
                try ChildProcess.run(umbrella, ["doctor", "--root", root.url.path])
            }
            #expect(result.status == ExitStatus.configuration.rawValue, "\(result)")
            #expect(
                result.standardOutput.contains(
                    "✗ Visma Connect refused the credentials (invalid_client). Fix: the client id"), "\(result)")
        }
    }

    @Test func anUnreachableVismaEndsIn75() throws {
        let folder = try TemporaryFolder("flexyvisma-doctor")
        let root = try root(folder, vismaURL: "http://127.0.0.1:9")
        let result = try ChildProcess.run(umbrella, ["doctor", "--root", root.url.path])
        #expect(result.status == ExitStatus.temporaryFailure.rawValue, "\(result)")
        #expect(result.standardOutput.contains("✗ Visma cannot be reached"), "\(result)")
    }
}

import Foundation
import TestSupport
import Testing
import VismaAPI

/// `visma-simulator` as a real child process.
@Suite struct SimulatorProcessTests {
    @Test func printsItsBaseURLFirstAndServesTheAPI() async throws {
        let running = try ChildProcess.start(
            ChildProcess.executable("visma-simulator"), ["--port", "0", "--rate-limit", "off"])
        defer { running.kill() }
        let url = try #require(running.firstLineOfOutput())
        #expect(url.hasPrefix("http://127.0.0.1:"))
        let client = try VismaTestClient(baseURL: url)
        #expect(try await client.authenticate().status == 200)
        let branches = try await client.get("/v1/branch")
        #expect(branches.status == 200)
        #expect(branches[header: "X-RateLimit-Limit"] == nil)
        #expect(branches.jsonArray.count == 3)
    }

    @Test func badOptionsAreUsageErrors() throws {
        let simulator = ChildProcess.executable("visma-simulator")
        let faults = try ChildProcess.run(simulator, ["--port", "0", "--faults", "418:0.5"])
        #expect(faults.status == 64)
        #expect(faults.standardError.contains("unknown fault kind 418"))
        #expect(try ChildProcess.run(simulator, ["--port", "0", "--rate-limit", "fast"]).status == 64)
        #expect(try ChildProcess.run(simulator, ["--company", "/nonexistent.json"]).status != 0)
    }
}

import FlexyVismaCore
import Foundation
import PipelineOperations
import TestSupport
import Testing
import VismaSimulator

/// Many venue roots on one host: `flexyvisma run --roots-file`, `--index` / `JOB_COMPLETION_INDEX`, and
/// metrics of every root into one node-exporter textfile folder.
@Suite struct FleetRunTests {
    let umbrella = ChildProcess.executable("flexyvisma")

    /// Venue roots that hand-drop one customers file each and send it to the simulator.
    struct Fleet: @unchecked Sendable {
        let folder: TemporaryFolder
        let roots: [PipelineRoot]
        let textfiles: URL
        let rootsFile: URL

        init(simulator: String, venues: [String]) throws {
            let base = try TemporaryFolder("flexyvisma-fleet")
            folder = base
            textfiles = base.path("node-exporter")
            roots = venues.indices.map { PipelineRoot(base.path("venue-\($0)")) }
            for (index, root) in roots.enumerated() {
                let made = try ChildProcess.run(
                    ChildProcess.executable("flexyvisma"), ["init", root.url.path, "--visma-url", simulator])
                #expect(made.status == 0, "\(made)")
                var configuration = try PipelineConfiguration.load(from: root)
                configuration.pipeline.settleSeconds = 0
                configuration.source = nil
                configuration.venue.name = venues[index]
                configuration.notifications.metricsFile = textfiles.path + "/"
                try configuration.encoded().write(to: root.configFile)
                let drop =
                    "customer_number;name;address_line1;postal_code;city;country;customer_class\r\nEX-\(700 + index);Kunde \(index);Vej 1;5000;Odense C;DK;DK\r\n"
                try Data(drop.utf8).write(to: root.inbox.appendingPathComponent("customers.csv"))
            }
            rootsFile = folder.path("roots.txt")
            let list = "# the venues of this host\n\n" + roots.map(\.url.path).joined(separator: "\n") + "\n"
            try Data(list.utf8).write(to: rootsFile)
            chmod(rootsFile.path, 0o644)
        }

        func logFiles(_ index: Int) -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: roots[index].logs.path)) ?? []).filter {
                $0.hasSuffix(".jsonl")
            }.count
        }

        /// Log files per root: one per run.
        var logCounts: [Int] { roots.indices.map(logFiles) }

        func archived(_ index: Int) -> Int {
            let enumerator = FileManager.default.enumerator(at: roots[index].archive, includingPropertiesForKeys: nil)
            return (enumerator?.allObjects as? [URL] ?? []).filter { BatchID($0.lastPathComponent) != nil }.count
        }

        func record(_ index: Int) throws -> [String: Any]? {
            let url = roots[index].state.appendingPathComponent("last-run.json")
            guard let data = try? Data(contentsOf: url) else { return nil }
            return try JSONSerialization.jsonObject(with: data) as? [String: Any]
        }
    }

    @Test func everyVenueRunsOnceABrokenOneStopsNoOtherAndTheExitIsTheWorst() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fleet = try Fleet(simulator: simulator.baseURL, venues: ["Café \"Nord\"", "Broken", "Bar\\Syd"])
            try Data("{ not json".utf8).write(to: fleet.roots[1].configFile)
            let result = try await offCooperativePool {
                try ChildProcess.run(umbrella, ["run", "--roots-file", fleet.rootsFile.path])
            }
            #expect(result.status == 78, "\(result)")
            for index in [0, 2] {
                #expect(fleet.archived(index) == 1, "venue \(index): \(result)")
                #expect(fleet.logFiles(index) == 1, "venue \(index) ran once")
                #expect(try fleet.record(index)?["exitStatus"] as? Int == 0)
            }
            #expect(try fleet.record(1) == nil)
            let lines = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("venue ") }
            #expect(lines.count == 3, "\(result)")
            #expect(
                lines[0].contains("exit 0") && lines[1].contains("exit 78") && lines[2].contains("exit 0"), "\(lines)")
            #expect(result.standardOutput.contains("fleet: 3 venue(s), exit 78"))

            // One textfile folder, one file per venue, every series labelled with its venue (escaped).
            let files = try FileManager.default.contentsOfDirectory(atPath: fleet.textfiles.path).sorted()
            #expect(files == ["flexyvisma-bar-syd.prom", "flexyvisma-caf-nord.prom"])
            let north = try String(
                contentsOf: fleet.textfiles.appendingPathComponent("flexyvisma-caf-nord.prom"), encoding: .utf8)
            let south = try String(
                contentsOf: fleet.textfiles.appendingPathComponent("flexyvisma-bar-syd.prom"), encoding: .utf8)
            #expect(
                north.contains(
                    #"flexyvisma_build_info{venue="Café \"Nord\"",version="\#(FlexyVismaVersion.current)"} 1"#),
                "\(north)")
            #expect(south.contains(#"flexyvisma_last_run_exit_code{venue="Bar\\Syd"} 0"#), "\(south)")
            #expect(north.contains(#"flexyvisma_records_sent{venue="Café \"Nord\"",kind="customer"} 1"#), "\(north)")
            for text in [north, south] {
                for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                    #expect(line.contains("{venue=\""), "unlabelled series: \(line)")
                }
            }
        }
    }

    @Test func anIndexRunsThatVenueOnlyFromTheOptionOrTheIndexedJob() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fleet = try Fleet(simulator: simulator.baseURL, venues: ["A", "B", "C"])
            let second = try await offCooperativePool {
                try ChildProcess.run(umbrella, ["run", "--roots-file", fleet.rootsFile.path, "--index", "1"])
            }
            #expect(second.status == 0, "\(second)")
            #expect(fleet.logCounts == [0, 1, 0])
            #expect(fleet.archived(1) == 1)
            let third = try await offCooperativePool {
                try ChildProcess.run(
                    umbrella, ["run", "--roots-file", fleet.rootsFile.path], environment: ["JOB_COMPLETION_INDEX": "2"])
            }
            #expect(third.status == 0, "\(third)")
            #expect(fleet.logCounts == [0, 1, 1])
            for index in ["3", "-1"] {
                let outside = try ChildProcess.run(
                    umbrella, ["run", "--roots-file", fleet.rootsFile.path, "--index", index])
                #expect(outside.status == 64, "\(outside)")
            }
            let job = try ChildProcess.run(
                umbrella, ["run", "--roots-file", fleet.rootsFile.path], environment: ["JOB_COMPLETION_INDEX": "x"])
            #expect(job.status == 64, "\(job)")
            #expect(fleet.logFiles(0) == 0)
        }
    }

    @Test func theWorstExitWinsAndAnUnknownOneCountsAsInternal() {
        #expect([0, 75, 69, 65, 78, 64, 70].reduce(0, FleetRun.worse) == 70)
        #expect([0, 75, 69].reduce(0, FleetRun.worse) == 69)
        #expect([75, 0].reduce(0, FleetRun.worse) == 75)
        #expect([65, 78, 69].reduce(0, FleetRun.worse) == 78)
        #expect(FleetRun.worse(78, 137) == 137)
    }

    @Test func aRootsFileOthersCouldChangeOrThatIsNoPlainFileIsRefused() throws {
        let folder = try TemporaryFolder("flexyvisma-roots")
        let file = folder.path("roots.txt")
        try Data("/nonexistent/venue\n".utf8).write(to: file)
        chmod(file.path, 0o666)
        let writable = try ChildProcess.run(umbrella, ["run", "--roots-file", file.path])
        #expect(writable.status == 78, "\(writable)")
        #expect(writable.standardError.contains("can be changed by other users"))
        chmod(file.path, 0o644)
        // A link is followed (Kubernetes mounts a ConfigMap so), but what it reaches must be a plain file: a FIFO is refused without waiting on it.
        let fifo = folder.path("fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let link = folder.path("link.txt")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: fifo)
        let linked = try ChildProcess.run(umbrella, ["run", "--roots-file", link.path])
        #expect(linked.status == 78, "\(linked)")
        #expect(linked.standardError.contains("FIFO"), "\(linked)")
        try Data("# nothing\n".utf8).write(to: file)
        let empty = try ChildProcess.run(umbrella, ["run", "--roots-file", file.path])
        #expect(empty.status == 78, "\(empty)")
        try Data("/a/venue\n/a/venue/\n".utf8).write(to: file)
        let twice = try ChildProcess.run(umbrella, ["run", "--roots-file", file.path])
        #expect(twice.status == 78 && twice.standardError.contains("already on line 1"), "\(twice)")
    }

    /// Two roots with one venue name pointed at one folder: the second leaves the first's file alone.
    @Test func aSecondRootNeverOverwritesAnotherRootsMetricsFile() throws {
        let folder = try TemporaryFolder("flexyvisma-metrics")
        let shared = folder.path("textfiles")
        var roots: [PipelineRoot] = []
        for index in 0..<2 {
            let root = PipelineRoot(folder.path("venue-\(index)"))
            #expect(
                try ChildProcess.run(umbrella, ["init", root.url.path, "--visma-url", "http://127.0.0.1:9"]).status == 0
            )
            var configuration = try PipelineConfiguration.load(from: root)
            configuration.source = nil
            configuration.notifications.metricsFile = shared.path + "/"
            try configuration.encoded().write(to: root.configFile)
            roots.append(root)
        }
        #expect(try ChildProcess.run(umbrella, ["run", "--root", roots[0].url.path]).status == 0)
        let second = try ChildProcess.run(umbrella, ["run", "--root", roots[1].url.path])
        #expect(second.status == 0, "\(second)")
        #expect(second.standardError.contains("metrics not written"), "\(second)")
        let text = try String(
            contentsOf: shared.appendingPathComponent("flexyvisma-caf-havnegade.prom"), encoding: .utf8)
        #expect(text.hasPrefix("# flexyvisma root: \(roots[0].url.path)\n"))
    }
}

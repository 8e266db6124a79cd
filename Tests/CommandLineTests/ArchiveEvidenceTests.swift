import FlexyVismaCore
import Foundation
import Glibc
import PipelineOperations
import TestSupport
import Testing
import VismaSimulator

/// Issue 13 §7 with real child processes: the prune on the chain, anchors, and hostile text in reports.
@Suite struct ArchiveEvidenceTests {

    /// A child process waited for off the cooperative pool, which the in-process simulators of other tests need.
    static func off(_ venue: NightlyRunTests.Venue, _ arguments: [String]) async throws -> ProcessResult {
        try await offCooperativePool { try venue.run(arguments) }
    }
    /// Every manifest file of the root, oldest link first, by walking the chain from its head.
    static func chainOrder(_ root: PipelineRoot) throws -> [URL] {
        var byHash: [String: URL] = [:]
        let enumerator = FileManager.default.enumerator(at: root.url, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard StageManifest.isManifestFile(url.lastPathComponent) else { continue }
            byHash[try Data(contentsOf: url).sha256Hex] = url
        }
        var order: [URL] = []
        var cursor = try ManifestChain(root: root).head()?.sha256
        while let hash = cursor, let url = byHash[hash] {
            order.insert(url, at: 0)
            cursor = try StageManifest.decode(Data(contentsOf: url)).previous
        }
        return order
    }

    static func writable(_ url: URL) {
        chmod(url.deletingLastPathComponent().path, 0o755)
        chmod(url.path, 0o644)
    }

    /// What someone who can write the root would do: change an old manifest, re-link every later
    /// one to the new hashes and move the head, so that a plain verify finds nothing wrong.
    static func rewriteOldestAndRechain(_ root: PipelineRoot) throws {
        let order = try chainOrder(root)
        try #require(order.count > 2)
        var previous: String?
        var last: (hash: String, manifest: StageManifest)?
        for (index, url) in order.enumerated() {
            var manifest = try StageManifest.decode(Data(contentsOf: url))
            if index == 0 { manifest.runId = "rewritten-history" }
            manifest.previous = previous
            let data = try manifest.encoded()
            writable(url)
            try data.write(to: url)
            previous = data.sha256Hex
            last = (data.sha256Hex, manifest)
        }
        let head = try #require(last)
        try StateFiles.write(
            ManifestChain.Link(sha256: head.hash, batchId: head.manifest.batchId, fileName: head.manifest.fileName),
            to: root.state.appendingPathComponent("chain-head.json"))
    }

    @Test func rewritingHistoryBeforeAnAnchorIsDetected() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try NightlyRunTests.Venue(simulator: simulator, corrected: true)
            #expect(try await Self.off(venue, ["run"]).status == 0)
            let inside = try await Self.off(
                venue, ["audit", "anchor", "--to", venue.root.state.appendingPathComponent("anchor.txt").path])
            #expect(inside.status == 64, "\(inside)")
            let anchorFile = venue.folder.path("elsewhere/anchors.txt")
            try FileManager.default.createDirectory(
                at: anchorFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            let anchor = try await Self.off(venue, ["audit", "anchor", "--to", anchorFile.path])
            #expect(anchor.status == 0, "\(anchor)")
            let hash = anchor.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(hash == (try ManifestChain(root: venue.root).head()?.sha256))
            #expect(try String(contentsOf: anchorFile, encoding: .utf8).contains("head=\(hash)"))
            #expect(try await Self.off(venue, ["audit", "verify", "--anchor", hash]).status == 0)

            try Self.rewriteOldestAndRechain(venue.root)
            let plain = try await Self.off(venue, ["audit", "verify"])
            #expect(plain.status == 0, "a re-chained rewrite passes a plain verify: \(plain)")
            let anchored = try await Self.off(venue, ["audit", "verify", "--anchor", hash])
            #expect(anchored.status == 65, "\(anchored)")
            #expect(anchored.standardOutput.contains("anchor \(hash) is no longer on the chain"), "\(anchored)")
        }
    }

    @Test func aHandWrittenPrunedIndexDoesNotExplainARemovedBatch() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try NightlyRunTests.Venue(simulator: simulator, corrected: true)
            #expect(try await Self.off(venue, ["run"]).status == 0)
            let batch = try #require(venue.archived.first)
            var manifests: [[String: Any]] = []
            for name in try FileManager.default.contentsOfDirectory(atPath: batch.path).sorted()
            where StageManifest.isManifestFile(name) {
                let data = try Data(contentsOf: batch.appendingPathComponent(name))
                manifests.append([
                    "file": name, "sha256": data.sha256Hex,
                    "previous": (try StageManifest.decode(data).previous).map { $0 as Any } ?? NSNull(),
                ])
            }
            // Remove the batch and write the index the way `archive prune` used to.
            let index: [[String: Any]] = [
                ["batchId": batch.lastPathComponent, "prunedAt": "2026-11-30T00:00:00.000Z", "manifests": manifests]
            ]
            try JSONSerialization.data(withJSONObject: index).write(
                to: venue.root.archive.appendingPathComponent("pruned.json"))
            let enumerator = FileManager.default.enumerator(at: batch, includingPropertiesForKeys: nil)
            chmod(batch.path, 0o755)
            while let url = enumerator?.nextObject() as? URL { chmod(url.path, 0o755) }
            try FileManager.default.removeItem(at: batch)
            let verify = try await Self.off(venue, ["audit", "verify"])
            #expect(verify.status == 65, "\(verify)")
            #expect(verify.standardOutput.contains("which no prune on the chain removed (hand-edited?)"), "\(verify)")
        }
    }

    @Test func aPruneIsAChainedRecordAndOneThatBrokeItsRuleIsRefused() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try NightlyRunTests.Venue(simulator: simulator, corrected: true)
            #expect(try await Self.off(venue, ["run"]).status == 0)
            let anchor = try await Self.off(venue, ["audit", "anchor"]).standardOutput.trimmingCharacters(
                in: .whitespacesAndNewlines)
            #expect(try await Self.off(venue, ["archive", "prune", "--older-than", "0d"]).status == 0)
            let folder = venue.root.archive.appendingPathComponent("pruned")
            let name = try #require(
                try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasSuffix(".prune.json") })
            let file = folder.appendingPathComponent(name)
            #expect(try ManifestChain(root: venue.root).head()?.sha256 == (try Data(contentsOf: file).sha256Hex))
            // The chain still passes through the anchor taken before the prune.
            let verify = try await Self.off(venue, ["audit", "verify", "--anchor", anchor])
            #expect(verify.status == 0, "\(verify)")

            // Claim the prune was made under the legal 5 years (the 2026 week is not due then), re-chained.
            var record = try JSONDecoder().decode(ArchivePrune.Record.self, from: Data(contentsOf: file))
            record.olderThan = "5y"
            record.cutoff = ArchivePrune.cutoff(
                olderThan: RetentionPeriod("5y"), now: try #require(Timestamp.date(record.prunedAt)))
            let data = try CanonicalJSON.encode(record)
            try data.write(to: file)
            let batchId = try #require(record.batches.first?.batchId)
            try StateFiles.write(
                ManifestChain.Link(
                    sha256: data.sha256Hex, batchId: batchId, fileName: name, path: "archive/pruned/\(name)"),
                to: venue.root.state.appendingPathComponent("chain-head.json"))
            let refused = try await Self.off(venue, ["audit", "verify"])
            #expect(refused.status == 65, "\(refused)")
            #expect(refused.standardOutput.contains("before the retention rule 5y allowed"), "\(refused)")
        }
    }

    static let hostile =
        "<script>alert('x')</script> \"quoted\" & 'single' \u{1B}[2J\u{1B}]0;owned\u{07} \u{202E}txt.exe"

    /// A root with one archived batch whose manifest carries hostile text in every free-text field.
    static func hostileRoot(_ folder: TemporaryFolder) throws -> (PipelineRoot, BatchID) {
        let root = PipelineRoot(folder.path("venue"))
        #expect(try ChildProcess.run(ChildProcess.executable("flexyvisma"), ["init", root.url.path]).status == 0)
        let id = try #require(BatchID("20261122T010203Z-a1b2c3"))
        let batch = BatchArchive.folder(for: id, in: root)
        try FileManager.default.createDirectory(at: batch, withIntermediateDirectories: true)
        var export = StageManifest(
            stage: .export, batchId: id, runId: "run1", startedAt: Date(), finishedAt: Date(), status: .accepted)
        var manifest = StageManifest(
            stage: .validate, batchId: id, runId: "run1", startedAt: Date(), finishedAt: Date(), status: .rejected)
        manifest.rejections = [
            Finding(rule: hostile, message: hostile, file: hostile, line: 3, record: hostile, hint: hostile)
        ]
        manifest.warnings = [Finding(rule: hostile, message: hostile)]
        manifest.counts = [hostile: 1]
        var totals = ControlTotals()
        totals.receiptDays = [
            ReceiptDayTotals(
                businessDay: hostile, department: hostile, file: hostile, receipts: 1, lines: 1, firstReceipt: 1,
                lastReceipt: 1,
                grossSales: hostile, discounts: hostile, grossByVatCode: [hostile: hostile], tenders: [hostile: hostile]
            )
        ]
        export.controlTotals = totals
        export.counts = [hostile: 1]
        _ = try ManifestChain(root: root).publish(export, in: batch)
        _ = try ManifestChain(root: root).publish(manifest, in: batch)
        return (root, id)
    }

    @Test func theHTMLReportAndTerminalOutputEscapeHostileManifestText() throws {
        let folder = try TemporaryFolder("flexyvisma-hostile-report")
        let (root, id) = try Self.hostileRoot(folder)
        let umbrella = ChildProcess.executable("flexyvisma")
        let reportFile = folder.path("report.html")
        let report = try ChildProcess.run(
            umbrella, ["audit", "report", "--html", reportFile.path, "--root", root.url.path])
        #expect(report.status == 0, "\(report)")
        let html = try String(contentsOf: reportFile, encoding: .utf8)
        #expect(!html.contains("<script"), "raw <script> in the report")
        #expect(!html.contains("'x'") && !html.contains("\"quoted\""))
        #expect(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;quoted&quot; &amp; &#39;single&#39;"))
        #expect(
            !html.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" },
            "control characters in the report")
        #expect(!html.unicodeScalars.contains { $0.value == 0x202E })

        let show = try ChildProcess.run(umbrella, ["audit", "show", id.rawValue, "--root", root.url.path])
        #expect(show.status == 0, "\(show)")
        #expect(
            !show.standardOutput.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E },
            "\(show)")
        #expect(show.standardOutput.contains("\\u{1B}[2J"), "\(show)")
    }
}

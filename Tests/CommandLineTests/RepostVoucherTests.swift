import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaSimulator

/// A repost's voucher (bilag) over real child processes and the simulator over HTTP: the corrected day's voucher and
/// receipts file go on the journal that now holds the day, once each, named for the repost batch; a day Visma holds
/// unchanged gets none.
@Suite struct RepostVoucherTests {
    typealias Venue = NightlyRunTests.Venue

    /// A journal's attachments as Visma lists them on the journal: name → revision.
    static func attachments(_ simulator: RunningSimulator, journal number: String) async throws -> [String: Int] {
        let client = try VismaTestClient(baseURL: simulator.baseURL)
        try await client.authenticate()
        let listed = try await client.attachments(onJournal: number)
        return Dictionary(
            listed.compactMap { item in (item["name"] as? String).map { ($0, item["revision"] as? Int ?? 0) } },
            uniquingKeysWith: max)
    }

    /// Every journal's attachments, by journal number.
    static func allAttachments(_ simulator: RunningSimulator) async throws -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        for journal in try await RepostTests.journals(simulator) {
            let number = try #require(journal["batchNumber"] as? String)
            result[number] = try await attachments(simulator, journal: number)
        }
        return result
    }

    /// The café day's two files as the repost batch names them, each in revision 1.
    static func repostFiles(_ batch: BatchID) -> [String: Int] {
        [
            "bilag-\(RepostTests.key)-\(batch.rawValue).pdf": 1,
            "receipts-cafe-\(RepostTests.day)-\(batch.rawValue).xml": 1,
        ]
    }

    static func journalNumber(_ journals: [[String: Any]], description prefix: String) throws -> String {
        let journal = try #require(journals.first { ($0["description"] as? String ?? "").hasPrefix(prefix) })
        return try #require(journal["batchNumber"] as? String)
    }

    @Test func aReleasedDaysCorrectionCarriesTheRepostsVoucherAndAnUnchangedDayGetsNone() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night.standardOutput.suffix(1500))")
            let original = try #require(try await RepostTests.journals(simulator, key: RepostTests.key).first)
            let originalNumber = try #require(original["batchNumber"] as? String)
            let before = try await Self.allAttachments(simulator)
            #expect(
                before[originalNumber]
                    == ["bilag-\(RepostTests.key).pdf": 1, "receipts-cafe-\(RepostTests.day).xml": 1])

            try RepostTests.correctReceipt(in: venue)
            let reposted = try await offCooperativePool {
                try venue.run(["repost", "--day", RepostTests.day, "--department", "cafe", "--reason", "receipt fixed"])
            }
            #expect(reposted.status == 0, "\(reposted.standardOutput.suffix(2000))")
            let batch = try RepostTests.batch(of: reposted)
            let day = try await RepostTests.journals(simulator, key: RepostTests.key)
            let reversal = try Self.journalNumber(day, description: "Tilbageførsel af \(originalNumber)")
            let correction = try Self.journalNumber(day, description: "Rettelse af \(originalNumber)")
            var expected = before
            expected[reversal] = [:]  // it reverses the original's lines, whose voucher stays on the original
            expected[correction] = Self.repostFiles(batch)
            #expect(try await Self.allAttachments(simulator) == expected)
            let shown = try venue.run(["audit", "show", batch.rawValue]).standardOutput
            #expect(shown.contains("voucher bilag-\(RepostTests.key)-\(batch.rawValue).pdf on journal"), "\(shown)")

            // Asked again with nothing changed: nothing is booked, nothing attached, and the batch is archived.
            let again = try await offCooperativePool {
                try venue.run(["repost", "--day", RepostTests.day, "--department", "cafe", "--reason", "once more"])
            }
            #expect(again.status == 0, "\(again.standardOutput.suffix(1500))")
            #expect(again.standardOutput.contains("unchanged in Visma, nothing booked"))
            #expect(try await Self.allAttachments(simulator) == expected)
            let second = try RepostTests.batch(of: again)
            #expect(venue.archived.contains { $0.lastPathComponent == second.rawValue })
            #expect(try venue.run(["audit", "verify"]).status == 0)
        }
    }

    @Test func anUnreleasedDayUpdatedInPlaceKeepsItsFirstVoucherAndGainsTheRepostsBeside() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await RepostTests.unreleasedWeek(simulator)
            let journal = try #require(try await RepostTests.journals(simulator, key: RepostTests.key).first)
            let number = try #require(journal["batchNumber"] as? String)
            let before = try await Self.allAttachments(simulator)

            try RepostTests.correctReceipt(in: venue)
            let reposted = try await offCooperativePool {
                try venue.run(["repost", "--day", RepostTests.day, "--reason", "receipt 100001 corrected"])
            }
            #expect(reposted.status == 0, "\(reposted.standardOutput.suffix(2000))")
            #expect(reposted.standardOutput.contains("was not released; updated in place"))
            let batch = try RepostTests.batch(of: reposted)
            var expected = before
            expected[number]?.merge(Self.repostFiles(batch)) { $1 }
            // The restaurant's day of the same repost was unchanged in Visma: its journal gains nothing.
            #expect(try await Self.allAttachments(simulator) == expected)
            #expect(expected[number]?.count == 4)
        }
    }

    /// One journal per receipt: a corrected receipt's correction gets its voucher, and the day's receipts file goes, as
    /// in the night, with the day's first receipt journal — though that receipt is unchanged — where the voucher says.
    @Test func aCorrectedReceiptsJournalGetsItsVoucherAndTheReceiptsFileGoesWithTheDaysFirstReceipt() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            var configuration = try PipelineConfiguration.load(from: venue.root)
            configuration.pipeline.receiptsPosting = .journalPerReceipt
            try configuration.encoded().write(to: venue.root.configFile)
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night.standardOutput.suffix(1500))")
            let before = try await Self.allAttachments(simulator)

            try RepostTests.execute(
                """
                UPDATE receipt_lines SET unit_price_ore = 5600, amount_ore = 5600 WHERE receipt_number = 100005 AND line = 1;
                UPDATE receipt_tenders SET amount_ore = 30000 WHERE receipt_number = 100005 AND line = 1;
                """, in: venue)
            let reposted = try await offCooperativePool {
                try venue.run([
                    "repost", "--day", RepostTests.day, "--department", "cafe", "--reason", "receipt 100005",
                ])
            }
            #expect(reposted.status == 0, "\(reposted.standardOutput.suffix(2000))")
            let batch = try RepostTests.batch(of: reposted)
            let receipt = try await RepostTests.journals(simulator, key: "POS-R100005")
            let correction = try Self.journalNumber(receipt, description: "Rettelse af ")
            let first = try #require(
                try await RepostTests.journals(simulator, key: "POS-R100001").first?["batchNumber"] as? String)
            #expect(before[first]?.count == 2, "the night put the receipts file with the first receipt")
            var expected = before
            expected[try Self.journalNumber(receipt, description: "Tilbageførsel af ")] = [:]
            expected[correction] = ["bilag-POS-R100005-\(batch.rawValue).pdf": 1]
            expected[first]?["receipts-cafe-\(RepostTests.day)-\(batch.rawValue).xml"] = 1
            #expect(try await Self.allAttachments(simulator) == expected)
        }
    }

    @Test func aRepostsVoucherIsAttachedOnceThroughUnansweredPostsAKillAndALostAnswer() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night.standardOutput.suffix(1500))")
            let before = try await Self.allAttachments(simulator)
            let admin = try VismaTestClient(baseURL: simulator.baseURL)
            let attachmentPosts = "POST /v2/journaltransaction/module"

            // Every attachment answered 503: the day is booked again, its voucher left unconfirmed (exit 75).
            try RepostTests.correctReceipt(in: venue)
            #expect(
                try await admin.send("POST", "/_simulator/faults", json: "503:1/\(attachmentPosts)", record: false)
                    .status == 200)
            let stopped = try await offCooperativePool {
                try venue.run(["repost", "--day", RepostTests.day, "--department", "cafe", "--reason", "receipt fixed"])
            }
            #expect(stopped.status == 75, "\(stopped.standardOutput.suffix(1500)) \(stopped.standardError.suffix(800))")
            let day = try await RepostTests.journals(simulator, key: RepostTests.key)
            let correction = try Self.journalNumber(day, description: "Rettelse af ")
            #expect(try await Self.attachments(simulator, journal: correction).isEmpty)

            // Run again and killed once Visma took the first file, before the ledger knew.
            #expect(try await admin.send("POST", "/_simulator/faults", json: "", record: false).status == 200)
            let root = venue.root
            let engine = simulator.engine
            let taken = engine.attachmentsTaken
            let killed = try await offCooperativePool { () -> Bool in
                let running = try ChildProcess.start(
                    ChildProcess.executable("flexyvisma-upload"), ["--root", root.url.path],
                    environment: [
                        "FLEXYVISMA_CLIENT_SECRET": ClientSecret.simulatorDemoSecret,
                        "FLEXYVISMA_FAULT": "stall-after-attachment-sent",
                    ])
                while running.process.isRunning, engine.attachmentsTaken == taken { usleep(20_000) }
                usleep(200_000)
                guard running.process.isRunning else { return false }
                running.kill()
                return true
            }
            #expect(killed)
            #expect(try await Self.attachments(simulator, journal: correction).count == 1)

            // The last run loses the answer to the one file still to go: found by name, not posted again.
            #expect(
                try await admin.send("POST", "/_simulator/faults", json: "lost:#1/\(attachmentPosts)", record: false)
                    .status == 200)
            let finished = try await offCooperativePool {
                try ChildProcess.run(
                    ChildProcess.executable("flexyvisma-upload"), ["--root", root.url.path],
                    environment: ["FLEXYVISMA_CLIENT_SECRET": ClientSecret.simulatorDemoSecret])
            }
            #expect(finished.status == 0, "\(finished)")
            var expected = before
            expected[try Self.journalNumber(day, description: "Tilbageførsel af ")] = [:]
            expected[correction] = Self.repostFiles(try Self.batch(ofFolderIn: venue))
            #expect(try await Self.allAttachments(simulator) == expected)
            #expect(try venue.run(["audit", "verify"]).status == 0)
        }
    }

    /// The one repost batch in the venue's archive or in progress (the stopped repost printed no finished line).
    static func batch(ofFolderIn venue: Venue) throws -> BatchID {
        let ids = (venue.archived.map(\.lastPathComponent) + venue.root.batchesInProgress().map(\.rawValue))
            .compactMap(BatchID.init)
        let reposts = ids.filter {
            FileManager.default.fileExists(atPath: RepostRequest.recordFile(of: $0, in: venue.root).path)
        }
        return try #require(reposts.count == 1 ? reposts.first : nil, "\(reposts)")
    }
}

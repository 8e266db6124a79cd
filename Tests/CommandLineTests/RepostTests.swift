import FlexyVismaCore
import Foundation
import GRDB
import TestSupport
import Testing
import VismaSimulator

/// `flexyvisma repost` over real child processes and the simulator over HTTP: a day already booked, corrected in
/// FlexyBox, booked again as the difference.
@Suite struct RepostTests {
    typealias Venue = NightlyRunTests.Venue

    static let day = "2026-11-22"
    /// The café's journal of the day (branch 1).
    static let key = "POS20261122-1"

    /// Receipt 100001's lunch costs 10 kr more: 10 kr gross on Dankort, 8 kr revenue and 2 kr output VAT.
    static func correctReceipt(in venue: Venue) throws {
        let queue = try DatabaseQueue(path: venue.root.resolve("source/flexybox.sqlite").path)
        try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE receipt_lines SET unit_price_ore = 15900, amount_ore = 15900 WHERE receipt_number = 100001 AND line = 2;
                    UPDATE receipt_tenders SET amount_ore = 19900 WHERE receipt_number = 100001 AND line = 1;
                    """)
        }
        try queue.close()
    }

    /// The corrected sample week booked by one night with `releaseDocuments: false`: every journal and
    /// payment stays unreleased (withdrawals wait for released deposits, so the week goes without them).
    static func unreleasedWeek(_ simulator: RunningSimulator) async throws -> Venue {
        let venue = try Venue(simulator: simulator, corrected: true)
        var configuration = try PipelineConfiguration.load(from: venue.root)
        configuration.pipeline.releaseDocuments = false
        try configuration.encoded().write(to: venue.root.configFile)
        try execute("DELETE FROM customer_payments WHERE amount_ore < 0", in: venue)
        let night = try await offCooperativePool { try venue.run(["run"]) }
        #expect(night.status == 0, "\(night.standardOutput.suffix(1500)) \(night.standardError.suffix(1500))")
        return venue
    }

    static func execute(_ sql: String, in venue: Venue) throws {
        let queue = try DatabaseQueue(path: venue.root.resolve("source/flexybox.sqlite").path)
        try queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }

    /// The change the correction makes, as credit minus debit per account.
    static func correctionDelta(_ venue: Venue) throws -> [String: Int64] {
        let configuration = try PipelineConfiguration.load(from: venue.root)
        let revenue = try #require(configuration.itemGroups["Frokost"]?.revenueAccount)
        let tender = try #require(configuration.paymentTypes["Dankort"]?.account)
        return [revenue: 800, "7200": 200, tender: -1000]
    }

    static func journals(_ simulator: RunningSimulator, key: String? = nil) async throws -> [[String: Any]] {
        let all = try await StrictCompanyNightsTests.records(simulator, "journalTransaction")
        guard let key else { return all }
        return all.filter { journal in
            ((journal["journalTransactionLines"] as? [[String: Any]]) ?? []).contains {
                $0["referenceNumber"] as? String == key
            }
        }
    }

    /// Credit minus debit per account over journals, in øre; zeros left out.
    static func net(_ journals: [[String: Any]]) -> [String: Int64] {
        var totals: [String: Int64] = [:]
        for journal in journals {
            for line in (journal["journalTransactionLines"] as? [[String: Any]]) ?? [] {
                let account = line["accountNumber"] as? String ?? "?"
                totals[account, default: 0] +=
                    StrictCompanyNightsTests.ore(line["creditAmountInCurrency"])
                    - StrictCompanyNightsTests.ore(line["debitAmountInCurrency"])
            }
        }
        return totals.filter { $0.value != 0 }
    }

    static func difference(_ after: [String: Int64], _ before: [String: Int64]) -> [String: Int64] {
        var delta = after
        for (account, amount) in before { delta[account, default: 0] -= amount }
        return delta.filter { $0.value != 0 }
    }

    /// The repost batch's id, from the line `flexyvisma repost` ends with.
    static func batch(of result: ProcessResult) throws -> BatchID {
        let finished = result.standardOutput.split(separator: "\n").last { $0.contains("repost finished") } ?? ""
        return try #require(finished.split(separator: " ").lazy.compactMap { BatchID(String($0)) }.first, "\(finished)")
    }

    func repost(_ venue: Venue, _ arguments: [String]) async throws -> ProcessResult {
        try await offCooperativePool { try venue.run(["repost"] + arguments) }
    }

    @Test func aCorrectedReceiptOnAReleasedDayIsReversedAndCorrectedToTheOreAndASecondRepostBooksNothing() async throws
    {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night.standardOutput.suffix(1500)) \(night.standardError.suffix(1500))")
            let original = try await Self.journals(simulator, key: Self.key)
            #expect(original.count == 1 && original.first?["status"] as? String == "Released")
            let before = Self.net(original)
            let allBefore = try await Self.journals(simulator).count

            try Self.correctReceipt(in: venue)
            let reposted = try await repost(
                venue, ["--day", Self.day, "--department", "cafe", "--reason", "receipt 100001 was rung up wrong"])
            #expect(
                reposted.status == 0, "\(reposted.standardOutput.suffix(2000)) \(reposted.standardError.suffix(2000))")
            #expect(
                reposted.standardOutput.contains("was released; reversed by"), "\(reposted.standardOutput.suffix(1500))"
            )

            let day = try await Self.journals(simulator, key: Self.key)
            #expect(day.count == 3)
            #expect(try await Self.journals(simulator).count == allBefore + 2, "only the café's day is booked again")
            let originalNumber = try #require(original.first?["batchNumber"] as? String)
            let reversal = try #require(
                day.first { ($0["description"] as? String ?? "").hasPrefix("Tilbageførsel af \(originalNumber)") })
            let correction = try #require(
                day.first { ($0["description"] as? String ?? "").hasPrefix("Rettelse af \(originalNumber)") })
            // The reversal is the original negated, VAT lines included, booked as a VAT transaction.
            #expect(Self.net([reversal]) == before.mapValues { -$0 })
            #expect(reversal["createVatTransaction"] as? Bool == true)
            #expect(
                (reversal["journalTransactionLines"] as? [[String: Any]])?.contains {
                    ($0["vat"] as? [String: Any])?["id"] != nil
                } == true)
            #expect(reversal["status"] as? String == "Released" && correction["status"] as? String == "Released")
            // Reversal and correction together move the day from what was booked to the corrected day, to the øre.
            // Original and reversal cancel: the books hold the corrected day, which differs from the original by the correction.
            #expect(Self.net(day) == Self.net([correction]))
            #expect(Self.difference(Self.net([correction]), before) == (try Self.correctionDelta(venue)))
            #expect(
                reversal["transactionDate"] as? String == "\(Self.day)T00:00:00"
                    && reversal["financialPeriod"] as? String == original.first?["financialPeriod"] as? String)

            let batch = try Self.batch(of: reposted).rawValue
            let shown = try venue.run(["audit", "show", batch]).standardOutput
            #expect(
                shown.contains("repost asked for by") && shown.contains("receipt 100001 was rung up wrong")
                    && shown.contains("reversed by"), "\(shown)")

            let again = try await repost(
                venue, ["--day", Self.day, "--department", "cafe", "--reason", "checking once more"])
            #expect(again.status == 0, "\(again.standardOutput.suffix(1500))")
            #expect(again.standardOutput.contains("unchanged in Visma, nothing booked"))
            #expect(try await Self.journals(simulator, key: Self.key).count == 3)

            let found = try venue.run(["audit", "find", "--receipt", "100001"]).standardOutput
            #expect(
                found.contains("repost asked for by") && found.contains("receipt 100001 was rung up wrong")
                    && found.contains("reversed by"), "\(found)")
            #expect(found.split(separator: "\n").count >= 3, "original, repost and the second repost: \(found)")
            #expect(try venue.run(["audit", "verify"]).status == 0)
        }
    }

    @Test func aCorrectedReceiptOnAnUnreleasedDayUpdatesTheSameJournalInPlace() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await Self.unreleasedWeek(simulator)
            let original = try await Self.journals(simulator, key: Self.key)
            #expect(original.count == 1 && original.first?["status"] as? String == "Balanced")
            let allBefore = try await Self.journals(simulator).count

            try Self.correctReceipt(in: venue)
            let reposted = try await repost(venue, ["--day", Self.day, "--reason", "receipt 100001 corrected"])
            #expect(
                reposted.status == 0, "\(reposted.standardOutput.suffix(2000)) \(reposted.standardError.suffix(2000))")
            #expect(reposted.standardOutput.contains("was not released; updated in place"))
            let day = try await Self.journals(simulator, key: Self.key)
            #expect(day.count == 1 && day.first?["batchNumber"] as? String == original.first?["batchNumber"] as? String)
            #expect(Self.difference(Self.net(day), Self.net(original)) == (try Self.correctionDelta(venue)))
            #expect(try await Self.journals(simulator).count == allBefore)
            #expect(
                reposted.standardOutput.contains("unchanged in Visma, nothing booked"),
                "the restaurant's day did not change")
        }
    }

    @Test func aCorrectionOfADayInAClosedPeriodLandsInTheFirstOpenPeriod() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night.standardOutput.suffix(1500))")
            let original = try await Self.journals(simulator, key: Self.key)
            let close =
                #"{"financialPeriods": [{"year": 2026, "period": "202611", "startDate": "2026-11-01T00:00:00", "endDate": "2026-11-30T00:00:00", "active": true, "closedInGeneralLedger": true}]}"#
            #expect(
                try await VismaTestClient(baseURL: simulator.baseURL).send(
                    "POST", "/_simulator/fixture", json: close, record: false
                ).status == 200)

            try Self.correctReceipt(in: venue)
            let reposted = try await repost(
                venue, ["--day", Self.day, "--department", "cafe", "--reason", "late correction"])
            #expect(
                reposted.status == 0, "\(reposted.standardOutput.suffix(2000)) \(reposted.standardError.suffix(2000))")
            #expect(
                reposted.standardOutput.contains(
                    "is closed, so dated 2026-12-01 in period 12-2026, referencing \(Self.day)"),
                "\(reposted.standardOutput.suffix(1500))")
            let added = try await Self.journals(simulator, key: Self.key).filter {
                $0["financialPeriod"] as? String != "202611"
            }
            #expect(added.count == 2)
            #expect(
                added.allSatisfy {
                    $0["financialPeriod"] as? String == "202612"
                        && $0["transactionDate"] as? String == "2026-12-01T00:00:00"
                })
            #expect(
                Self.difference(Self.net(added + original), Self.net(original)) == (try Self.correctionDelta(venue)))
        }
    }

    @Test func aMappingChangeRepostedOverARangeMovesRevenueToTheNewAccountAndNothingElse() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night.standardOutput.suffix(1500))")
            let before = Self.net(try await Self.journals(simulator))
            let payments = try await StrictCompanyNightsTests.records(simulator, "customerPayment").count
            let moved = try #require(before["1020"])

            var configuration = try PipelineConfiguration.load(from: venue.root)
            configuration.itemGroups["Kolde drikke"]?.revenueAccount = "1050"
            try configuration.encoded().write(to: venue.root.configFile)
            let range = ["--from", "2026-11-22", "--to", "2026-11-28", "--reason", "cold drinks belong with food"]
            let reposted = try await repost(venue, range)
            #expect(
                reposted.status == 0, "\(reposted.standardOutput.suffix(2000)) \(reposted.standardError.suffix(2000))")
            let after = Self.net(try await Self.journals(simulator))
            #expect(Self.difference(after, before) == ["1020": -moved, "1050": moved])
            #expect(
                try await StrictCompanyNightsTests.records(simulator, "customerPayment").count == payments,
                "payments are not booked twice")

            let count = try await Self.journals(simulator).count
            let again = try await repost(venue, range)
            #expect(again.status == 0)
            #expect(try await Self.journals(simulator).count == count)
            #expect(
                !again.standardOutput.contains("reversed by")
                    && again.standardOutput.contains("unchanged in Visma, nothing booked"))
        }
    }

    @Test func aRepostOfADayNeverExportedOrWithoutAReasonIsRefused() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            #expect(try venue.run(["repost", "--day", Self.day]).status == 64)
            #expect(try venue.run(["repost", "--day", Self.day, "--reason", " "]).status == 64)
            let never = try await repost(venue, ["--day", Self.day, "--reason", "too early"])
            #expect(never.status == 64, "\(never.standardOutput) \(never.standardError)")
            #expect(never.standardError.contains("never exported"), "\(never.standardError)")
        }
    }

    static func payments(_ simulator: RunningSimulator, id: String) async throws -> [[String: Any]] {
        try await StrictCompanyNightsTests.records(simulator, "customerPayment").filter {
            $0["paymentRef"] as? String == id
        }
    }

    @Test func aChangedReleasedDepositIsVoidedAndEnteredAgainAndOneWithARefundAppliedHaltsWithVismasWords() async throws
    {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night.standardOutput.suffix(1500))")
            let total = try await StrictCompanyNightsTests.records(simulator, "customerPayment").count
            try Self.execute(
                "UPDATE customer_payments SET amount_ore = 250000 WHERE payment_id = 'P-20261125-01'", in: venue)
            let reposted = try await repost(venue, ["--day", "2026-11-25", "--reason", "deposit was 2500 kr"])
            #expect(
                reposted.status == 0, "\(reposted.standardOutput.suffix(2000)) \(reposted.standardError.suffix(2000))")
            #expect(
                reposted.standardOutput.contains("payment P-20261125-01:")
                    && reposted.standardOutput.contains("voided and entered again as"))
            let held = try await Self.payments(simulator, id: "P-20261125-01")
            #expect(held.map { $0["status"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["Open", "Voided"])
            #expect(held.first { $0["status"] as? String == "Open" }?["paymentAmount"] as? Double == 2500)
            let again = try await repost(venue, ["--day", "2026-11-25", "--reason", "once more"])
            #expect(
                again.status == 0 && !again.standardOutput.contains("voided"), "\(again.standardOutput.suffix(1500))")
            #expect(try await StrictCompanyNightsTests.records(simulator, "customerPayment").count == total + 1)

            // K-1005's deposit of the 23rd paid back the 28th: Visma will not void it, and the repost halts with its words.
            try Self.execute(
                "UPDATE customer_payments SET amount_ore = 60000 WHERE payment_id = 'P-20261123-01'", in: venue)
            let refused = try await repost(venue, ["--day", "2026-11-23", "--reason", "deposit was 600 kr"])
            #expect(
                refused.status == 65, "\(refused.standardOutput.suffix(2000)) \(refused.standardError.suffix(2000))")
            #expect(
                refused.standardOutput.contains("cannot be voided: refund"), "\(refused.standardOutput.suffix(1500))")
            #expect(try venue.run(["status"]).standardOutput.contains("cannot be voided"))
        }
    }

    @Test func aChangedUnreleasedDepositIsUpdatedInPlace() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await Self.unreleasedWeek(simulator)
            let before = try await Self.payments(simulator, id: "P-20261125-01")
            try Self.execute(
                "UPDATE customer_payments SET amount_ore = 250000 WHERE payment_id = 'P-20261125-01'", in: venue)
            let reposted = try await repost(venue, ["--day", "2026-11-25", "--reason", "deposit was 2500 kr"])
            #expect(
                reposted.status == 0, "\(reposted.standardOutput.suffix(2000)) \(reposted.standardError.suffix(2000))")
            #expect(
                reposted.standardOutput.contains("was not released; updated (amount 2000.00 → 2500.00)"),
                "\(reposted.standardOutput.suffix(1500))")
            let after = try await Self.payments(simulator, id: "P-20261125-01")
            #expect(after.count == 1 && after.first?["refNbr"] as? String == before.first?["refNbr"] as? String)
            #expect(after.first?["paymentAmount"] as? Double == 2500 && after.first?["status"] as? String == "Balanced")
        }
    }

    /// The strict company numbers journals itself, queues every third release and answers lists in small pages.
    @Test func theStrictCompanyTakesTheReversalAndCorrectionOfAReleasedDay() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: .strictVenue, rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night.standardOutput.suffix(1500)) \(night.standardError.suffix(1500))")
            let original = try await Self.journals(simulator, key: Self.key)
            #expect(original.count == 1)
            try Self.correctReceipt(in: venue)
            let reposted = try await repost(
                venue, ["--day", Self.day, "--department", "cafe", "--reason", "receipt 100001 corrected"])
            #expect(
                reposted.status == 0, "\(reposted.standardOutput.suffix(2000)) \(reposted.standardError.suffix(2000))")
            let day = try await Self.journals(simulator, key: Self.key)
            #expect(day.count == 3)
            #expect(Self.difference(Self.net(day), Self.net(original)) == (try Self.correctionDelta(venue)))
            #expect(
                day.allSatisfy { $0["financialPeriod"] as? String == "202705" },
                "November 2026 is period 05 of the year from July")
            let again = try await repost(venue, ["--day", Self.day, "--department", "cafe", "--reason", "again"])
            #expect(
                again.status == 0 && again.standardOutput.contains("unchanged in Visma, nothing booked"),
                "\(again.standardOutput.suffix(1500))")
            #expect(try await Self.journals(simulator, key: Self.key).count == 3)
        }
    }

    /// Only a batch the export made as a repost may carry days already sent: `--force` alone, or a manifest edited to
    /// claim a repost, is still refused at validate.
    @Test func aForcedExportOrAManifestClaimingARepostIsStillRefusedTheDayAlreadySent() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night.standardOutput.suffix(1500))")
            #expect(try venue.run(["export", "--day", Self.day, "--force"]).status == 0)
            let name = try #require(
                try FileManager.default.contentsOfDirectory(atPath: venue.root.inbox.path).first { BatchID($0) != nil })
            let manifestURL = venue.root.inbox.appendingPathComponent(name).appendingPathComponent(
                "export.manifest.json")
            var manifest = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any])
            var export = try #require(manifest["export"] as? [String: Any])
            export["repost"] = ["reason": "claimed", "requestedBy": "someone"]
            manifest["export"] = export
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: manifestURL.path)
            try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]).write(to: manifestURL)

            let validated = try await offCooperativePool { try venue.run(["validate"]) }
            #expect(
                validated.status == 65,
                "\(validated.standardOutput.suffix(1500)) \(validated.standardError.suffix(1500))")
            let report = try String(
                contentsOf: venue.root.batches.appendingPathComponent(name).appendingPathComponent("report.txt"),
                encoding: .utf8)
            #expect(report.contains("receipt.day-already-sent"), "\(report.prefix(1500))")
        }
    }

    /// A department-day Visma never got a journal for (its receipts were filed under a department not sent) is booked.
    @Test func aDayJournalVismaNeverHadIsBookedByTheRepost() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            try Self.execute(
                "UPDATE receipts SET department = 'bowling' WHERE business_day = '\(Self.day)' AND department = 'restaurant'",
                in: venue)
            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night.standardOutput.suffix(1500))")
            #expect(try await Self.journals(simulator, key: "POS20261122-2").isEmpty)
            try Self.execute(
                "UPDATE receipts SET department = 'restaurant' WHERE business_day = '\(Self.day)' AND department = 'bowling'",
                in: venue)
            let reposted = try await repost(
                venue,
                ["--day", Self.day, "--department", "restaurant", "--reason", "receipts were filed under bowling"])
            #expect(
                reposted.status == 0, "\(reposted.standardOutput.suffix(2000)) \(reposted.standardError.suffix(2000))")
            #expect(
                reposted.standardOutput.contains("not in Visma before; booked as journal"),
                "\(reposted.standardOutput.suffix(1500))")
            #expect(try await Self.journals(simulator, key: "POS20261122-2").count == 1)
        }
    }
}

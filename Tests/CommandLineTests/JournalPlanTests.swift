import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaSimulator

/// `flexyvisma plan --journals` before go-live: what the bookkeeper signs off is what the first night books.
@Suite struct JournalPlanTests {
    typealias Venue = NightlyRunTests.Venue

    /// One planned or booked line: account and amounts in øre.
    struct Line: Hashable, CustomStringConvertible {
        var account: String
        var debit: Int64
        var credit: Int64
        var description: String { "\(account) D\(debit) C\(credit)" }
    }

    /// The plan's table, per journal number: the rows between a journal's heading and its total.
    static func plannedLines(_ text: String) -> [String: [Line]] {
        var journals: [String: [Line]] = [:]
        var current: String?
        for row in text.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init) {
            if row.starts(with: "POS") {
                current = String(row.prefix { $0 != " " })
                continue
            }
            guard let journal = current, row.count >= 48, row.starts(with: "  ") else { continue }
            let account = String(row[2..<12]).trimmingCharacters(in: .whitespaces)
            guard account != "account", account != "total" else { continue }
            func ore(_ range: Range<Int>) -> Int64 {
                FixedPoint(parsing: String(row[range]).trimmingCharacters(in: .whitespaces), scale: 2)?.units ?? 0
            }
            journals[journal, default: []].append(Line(account: account, debit: ore(20..<34), credit: ore(34..<48)))
        }
        return journals
    }

    /// What the company holds, per journal (the Ref. no. every line carries).
    static func bookedLines(_ simulator: RunningSimulator) async throws -> [String: [Line]] {
        var journals: [String: [Line]] = [:]
        for journal in try await StrictCompanyNightsTests.records(simulator, "journalTransaction") {
            for line in journal["journalTransactionLines"] as? [[String: Any]] ?? [] {
                let reference = line["referenceNumber"] as? String ?? ""
                journals[reference, default: []].append(
                    Line(
                        account: line["accountNumber"] as? String ?? "",
                        debit: StrictCompanyNightsTests.ore(line["debitAmountInCurrency"]),
                        credit: StrictCompanyNightsTests.ore(line["creditAmountInCurrency"])))
            }
        }
        return journals
    }

    @Test func planJournalsOnAFreshRootPrintsTheLinesTheFirstNightBooks() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let plan = try await offCooperativePool { try venue.run(["plan", "--journals"]) }
            #expect(plan.status == 0, "\(plan)")
            #expect(!plan.standardOutput.contains("NOT BALANCED"))
            let planned = Self.plannedLines(plan.standardOutput)
            #expect(planned.count == 14, "\(planned.keys.sorted())")

            // Nothing moved: no batch, no export state, nothing in Visma.
            #expect(try FileManager.default.contentsOfDirectory(atPath: venue.root.inbox.path).isEmpty)
            #expect(
                !FileManager.default.fileExists(atPath: venue.root.state.appendingPathComponent("export.json").path))
            #expect(try await Self.bookedLines(simulator).isEmpty)

            let night = try await offCooperativePool { try venue.run(["run"]) }
            #expect(night.status == 0, "\(night)")
            let booked = try await Self.bookedLines(simulator)
            #expect(Set(booked.keys) == Set(planned.keys))
            for (journal, lines) in planned {
                let held = booked[journal] ?? []
                #expect(
                    lines.sorted { $0.description < $1.description } == held.sorted { $0.description < $1.description },
                    "journal \(journal)")
                #expect(
                    lines.reduce(0) { $0 + $1.debit } == held.reduce(0) { $0 + $1.credit },
                    "journal \(journal) balances as booked")
            }
        }
    }

    @Test func planJournalsForChosenDaysPreviewsOnlyThoseDays() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let plan = try await offCooperativePool {
                try venue.run(["plan", "--journals", "--from", "2026-11-24", "--to", "2026-11-25"])
            }
            #expect(plan.status == 0, "\(plan)")
            let journals = Self.plannedLines(plan.standardOutput).keys.sorted()
            #expect(!journals.isEmpty)
            #expect(journals.allSatisfy { $0.hasPrefix("POS20261124-") || $0.hasPrefix("POS20261125-") }, "\(journals)")

            let backwards = try venue.run(["plan", "--journals", "--from", "2026-11-25", "--to", "2026-11-24"])
            #expect(backwards.status == 64)
            #expect(backwards.standardError.contains("is before --from"))
        }
    }
}

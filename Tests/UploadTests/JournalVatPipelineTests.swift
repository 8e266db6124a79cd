import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaPayloads
import VismaSimulator
import VismaUpload

/// The day journals reach Visma as VAT transactions, in the period Visma's own calendar puts each day in.
@Suite struct JournalVatPipelineTests {
    /// The VAT contained in a gross amount (øre) at a rate, rounded half away from zero: the receipts' VAT.
    static func vatContained(inGross gross: Int64, ratePercent: Int64) -> Int64 {
        let doubled = 2 * gross * ratePercent
        let denominator = 100 + ratePercent
        return (doubled + (gross >= 0 ? denominator : -denominator)) / (2 * denominator)
    }

    static func ore(_ value: Any?) -> Int64 { Int64(((value as? Double) ?? 0) * 100 + 0.5) }

    @Test func theSampleWeeksJournalsAreVatTransactionsWhoseVatEqualsTheReceipts() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            let outcome = try await fixture.upload()
            #expect(outcome.exitStatus == .success, "\(outcome.summary)")
            let export = try StageManifest.decode(
                Data(contentsOf: fixture.root.batchFolder(id).appendingPathComponent("export.manifest.json")))
            let journals = try await fixture.entities("journalTransaction")
            #expect(journals.count == 14)
            for journal in journals {
                let number = journal["batchNumber"] as? String ?? ""
                #expect(journal["createVatTransaction"] as? Bool == true, "\(number)")
                #expect(journal["financialPeriod"] as? String == "202611", "\(number)")
                let lines = journal["journalTransactionLines"] as? [[String: Any]] ?? []
                #expect(lines.allSatisfy { $0["referenceNumber"] as? String == number }, "\(number)")
                let vatLines = lines.filter { ($0["vat"] as? [String: Any])?["id"] as? String == "U25" }
                #expect(vatLines.allSatisfy { $0["accountNumber"] as? String == "7200" })
                #expect(lines.contains { ($0["vatCode"] as? [String: Any])?["id"] as? String == "1" })
                // Tender and rounding lines carry no VAT fields.
                #expect(
                    lines.filter { $0["vat"] == nil && $0["vatCode"] == nil }.allSatisfy {
                        ($0["debitAmount"] as? Double ?? 0) > 0 || $0["accountNumber"] as? String == "3690"
                    })
                let booked = vatLines.reduce(Int64(0)) {
                    $0 + Self.ore($1["creditAmount"]) - Self.ore($1["debitAmount"])
                }
                let day = (journal["transactionDate"] as? String ?? "").prefix(10)
                let department = journal["branch"] as? String == "1" ? "Café" : "Restaurant"
                let totals = try #require(
                    export.controlTotals?.receiptDays.first { $0.businessDay == day && $0.department == department })
                let gross = FixedPoint(parsing: totals.grossByVatCode["25"] ?? "0", scale: 2)?.units ?? 0
                #expect(booked == Self.vatContained(inGross: gross, ratePercent: 25), "\(number)")
            }
        }
    }

    @Test func aCompanyWhoseYearStartsInJulyGetsNovemberDaysInPeriod05OfTheNextYear() async throws {
        var company = CompanyFixture.sampleVenue
        company.financialPeriods = CompanyFixture.FinancialPeriod.financialYears(2026...2027, firstMonth: 7)
        try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            let journals = try fixture.payloads(id).filter { $0.group == .journalTransactions }
            #expect(!journals.isEmpty)
            #expect(journals.allSatisfy { $0.body["financialPeriod"]?["value"]?.stringValue == "202705" })
            let outcome = try await fixture.upload()
            #expect(outcome.exitStatus == .success, "\(outcome.summary)")
            let held = try await fixture.entities("journalTransaction")
            #expect(held.count == 14)
            #expect(
                held.allSatisfy {
                    $0["financialPeriod"] as? String == "202705" && $0["postPeriod"] as? String == "052027"
                })
            #expect(
                try await fixture.entities("customerPayment").allSatisfy {
                    $0["applicationPeriod"] as? String == "202705"
                })
        }
    }

    @Test func aCompanyWithoutGLVatRefusesVatTransactionsAndTakesThePlainLedgerChoice() async throws {
        var company = CompanyFixture.sampleVenue
        company.behaviour.vatEntryFromGeneralLedger = false
        try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            _ = try await fixture.prepareBatch()
            let refused = try await fixture.upload()
            #expect(refused.exitStatus != .success)
            #expect(refused.summary.contains("'VAT entry from general ledger' is not enabled"), "\(refused.summary)")
        }
        try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            var fixture = try PipelineFixture(simulator: simulator)
            fixture.configuration.pipeline.journalVat = .plainLedgerNoVatReport
            try fixture.configuration.encoded().write(to: fixture.root.configFile)
            let id = try await fixture.prepareBatch()
            let journals = try fixture.payloads(id).filter { $0.group == .journalTransactions }
            #expect(!journals.isEmpty)
            #expect(
                journals.allSatisfy { !$0.bodyText.contains("vatId") && !$0.bodyText.contains("createVatTransaction") })
            #expect(try await fixture.upload().exitStatus == .success)
            let held = try await fixture.entities("journalTransaction")
            #expect(held.count == 14)
            #expect(held.allSatisfy { $0["createVatTransaction"] as? Bool == false })
        }
    }
}

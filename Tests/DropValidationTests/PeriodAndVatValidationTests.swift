import DropValidation
import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaSimulator

/// Validation finds each day's financial period by its dates and checks it in the ledger that will book
/// the day; and with VAT transactions, that each VAT ID can be booked on its payable account.
@Suite struct PeriodAndVatValidationTests {
    /// Validates the sample's valid drops against the sample company changed by `change`, with `configuration`.
    func validate(
        configuration: PipelineConfiguration? = nil, _ change: (inout ReferenceSnapshot) -> Void
    ) async throws -> ValidateOutcome {
        let fixture = try ValidationFixture()
        var reference = try JSONDecoder().decode(ReferenceSnapshot.self, from: try ValidationFixture.sharedReference())
        change(&reference)
        try reference.encoded().write(to: fixture.referenceFile)
        let settings = configuration ?? fixture.configuration
        try settings.encoded().write(to: fixture.root.configFile)
        try fixture.drop(try Repository.files(in: Repository.validDrops, extensions: ["csv", "xml"]))
        let root = fixture.root
        let schemas = fixture.schemas
        let referenceFile = fixture.referenceFile
        return try await ValidateStage(
            ValidateRequest(
                root: root, configuration: settings, schemas: schemas, referenceFile: referenceFile,
                fetchReference: { throw OperatorMessage(.internalError, "tests validate against a saved snapshot") })
        ).run()
    }

    static func change(
        _ id: String, _ edit: @escaping (inout ReferenceSnapshot.FinancialPeriod) -> Void
    ) -> (inout ReferenceSnapshot) -> Void {
        { reference in
            for index in reference.financialPeriods.indices where reference.financialPeriods[index].period == id {
                edit(&reference.financialPeriods[index])
            }
        }
    }

    func rules(_ outcome: ValidateOutcome) -> [String] { (outcome.manifest?.rejections ?? []).map(\.rule) }

    @Test func aDayInAPeriodClosedInTheGeneralLedgerIsRefusedButAPaymentThereIsNot() async throws {
        let outcome = try await validate(Self.change("202611") { $0.closedInGeneralLedger = true })
        #expect(outcome.exitStatus == .dataRejected)
        #expect(!rules(outcome).contains("payment.closed-period"))
        let finding = try #require(outcome.manifest?.rejections.first { $0.rule == "receipt.closed-period" })
        #expect(
            finding.message
                == "business day 2026-11-28: financial period 11-2026 (2026-11-01 – 2026-11-30) is closed in Visma's general ledger"
        )
        #expect(finding.file == "receipts.xml" && (finding.line ?? 0) > 0 && finding.field == "businessDay")
        #expect(finding.hint?.contains("general ledger") == true)
    }

    @Test func aPaymentInAPeriodClosedInTheCustomerLedgerIsRefusedButTheDayIsNot() async throws {
        let outcome = try await validate(Self.change("202611") { $0.closedInCustomerLedger = true })
        #expect(outcome.exitStatus == .dataRejected)
        #expect(!rules(outcome).contains("receipt.closed-period"))
        let finding = try #require(outcome.manifest?.rejections.first { $0.rule == "payment.closed-period" })
        #expect(
            finding.message == "financial period 11-2026 (2026-11-01 – 2026-11-30) is closed in Visma's customer ledger"
        )
        #expect(finding.file == "payments.csv" && finding.line == 2 && finding.field == "date")
        #expect(finding.hint?.contains("customer ledger") == true)
    }

    @Test func anInactiveOrMissingPeriodRefusesTheDayAndAnOpenOneIsAccepted() async throws {
        let inactive = try await validate(Self.change("202611") { $0.active = false })
        #expect(
            inactive.manifest?.rejections.first { $0.rule == "receipt.closed-period" }?.message.hasSuffix(
                "is inactive in Visma") == true)
        let missing = try await validate { $0.financialPeriods.removeAll { $0.period == "202611" } }
        #expect(
            missing.manifest?.rejections.first { $0.rule == "receipt.closed-period" }?.message
                == "business day 2026-11-28: no financial period in Visma contains 2026-11-28")
        let open = try await validate { _ in }
        #expect(open.manifest?.status == .accepted, "\(open.reportLines)")
    }

    @Test func aYearStartingInJulyIsMatchedByDatesNotByTheCalendarMonth() async throws {
        let july = CompanyFixture.FinancialPeriod.financialYears(2026...2027, firstMonth: 7).map(
            SampleVisma.snapshotPeriod)
        let accepted = try await validate { $0.financialPeriods = july }
        #expect(accepted.manifest?.status == .accepted, "\(accepted.reportLines)")
        // Closing 202611 (May 2026 here) does not touch November 2026; closing 202705 does.
        let mayClosed = try await validate {
            $0.financialPeriods = july.map {
                var period = $0
                period.closedInGeneralLedger = period.period == "202611"
                return period
            }
        }
        #expect(mayClosed.manifest?.status == .accepted, "\(mayClosed.reportLines)")
        let novemberClosed = try await validate {
            $0.financialPeriods = july.map {
                var period = $0
                period.closedInGeneralLedger = period.period == "202705"
                return period
            }
        }
        #expect(
            novemberClosed.manifest?.rejections.first?.message.contains(
                "financial period 05-2027 (2026-11-01 – 2026-11-30)") == true)
    }

    @Test func anOutputVatAccountOtherThanTheVatsPayableAccountIsRefusedOnceAndAnAgreeingOneAccepted() async throws {
        var configuration = PipelineConfiguration.sampleVenue(sourcePath: "source/flexybox.sqlite")
        configuration.pipeline.settleSeconds = 0
        configuration.vatCodes["25"]?.outputVatAccount = "6850"
        let wrong = try await validate(configuration: configuration) { _ in }
        let findings = (wrong.manifest?.rejections ?? []).filter { $0.rule == "receipt.vat-account" }
        #expect(findings.count == 1)
        #expect(
            findings.first?.message
                == "vatCodes.25.outputVatAccount is 6850 but Visma books VAT U25 on its VAT payable account 7200")
        #expect(findings.first?.hint == "set vatCodes.25.outputVatAccount to 7200 in flexyvisma.json, or remove it")
        configuration.vatCodes["25"]?.outputVatAccount = nil
        #expect(try await validate(configuration: configuration) { _ in }.manifest?.status == .accepted)
        let noPayable = try await validate(configuration: configuration) { reference in
            reference.vats = reference.vats?.map {
                var vat = $0
                vat.payableAccount = vat.id == "U25" ? nil : vat.payableAccount
                return vat
            }
        }
        #expect(
            noPayable.manifest?.rejections.first { $0.rule == "receipt.vat-account" }?.message.contains(
                "VAT ID U25 has no VAT payable account") == true)
    }

    @Test func aVatIdWhoseRateDiffersFromTheConfiguredRateIsRefused() async throws {
        let other = try await validate { reference in
            reference.vats = reference.vats?.map {
                var vat = $0
                if vat.id == "U25" { vat.ratePercent = 20 }
                return vat
            }
        }
        #expect(
            other.manifest?.rejections.first { $0.rule == "receipt.vat-account" }?.message
                == "vatCodes.25.ratePercent is 25 but Visma's VAT U25 has the rate 20 %, so Visma would refuse the VAT amount"
        )
        let missing = try await validate { reference in reference.vats?.removeAll { $0.id == "U25" } }
        #expect(
            missing.manifest?.rejections.first { $0.rule == "receipt.vat-account" }?.message
                == "VAT code 25 is mapped to VAT ID U25, which does not exist in Visma")
    }

    @Test func aSnapshotSavedInTheOldShapeStillReadsWithCalendarMonths() throws {
        let url = Repository.root.appendingPathComponent(
            "Tests/Fixtures/legacy-root-v1/root/batches/20261130T064047Z-9c763b/reference.json")
        let snapshot = try ReferenceSnapshot.load(from: url)
        let november = try #require(snapshot.financialPeriods.first { $0.period == "202611" })
        #expect(
            november.startDate == "2026-11-01" && november.endDate == "2026-11-30" && november.year == 2026
                && november.active)
        #expect(snapshot.financialPeriod(containing: "2026-11-24")?.period == "202611")
        #expect(snapshot.vats == nil)
        #expect(snapshot.financialPeriods.contains { $0.closedInGeneralLedger && $0.closedInCustomerLedger })
    }
}

import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaSimulator

/// A journal line for the VAT rule tests: amount in øre, positive credit, negative debit.
struct VatTestLine {
    var account: String
    var amount: Int64
    var reference: String? = "J-1"
    var category: String?
    var vatId: String?

    static func tender(_ amount: Int64, reference: String? = "J-1") -> VatTestLine {
        VatTestLine(account: "5520", amount: -amount, reference: reference)
    }
    static func taxable(
        _ amount: Int64, category: String? = "1", account: String = "1010", reference: String? = "J-1"
    ) -> VatTestLine {
        VatTestLine(account: account, amount: amount, reference: reference, category: category)
    }
    static func vat(
        _ amount: Int64, id: String = "U25", account: String = "7200", reference: String? = "J-1"
    ) -> VatTestLine {
        VatTestLine(account: account, amount: amount, reference: reference, vatId: id)
    }

    /// A `JournalTransactionUpdateDto` body.
    static func journal(
        _ lines: [VatTestLine], number: String = "J-1", date: String = "2026-11-28", period: String? = "202611",
        createVat: Bool? = true,
        skipValidation: Bool? = nil
    ) -> String {
        func wrapped(_ value: Any) -> [String: Any] { ["value": value] }
        var body: [String: Any] = [
            "batchNumber": wrapped(number), "overrideNumberSeries": wrapped(true),
            "transactionDate": wrapped("\(date)T00:00:00"),
            "branch": wrapped("1"), "hold": wrapped(false),
        ]
        if let period { body["financialPeriod"] = wrapped(period) }
        if let createVat { body["createVatTransaction"] = wrapped(createVat) }
        if let skipValidation { body["skipVatAmountValidation"] = wrapped(skipValidation) }
        body["journalTransactionLines"] = lines.map { line -> [String: Any] in
            var dto: [String: Any] = ["operation": "Insert", "accountNumber": wrapped(line.account)]
            dto[line.amount >= 0 ? "creditAmountInCurrency" : "debitAmountInCurrency"] = wrapped(
                Double(abs(line.amount)) / 100)
            if let reference = line.reference { dto["referenceNumber"] = wrapped(reference) }
            if let category = line.category { dto["vatCodeId"] = wrapped(category) }
            if let vatId = line.vatId { dto["vatId"] = wrapped(vatId) }
            return dto
        }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// VAT transactions from the general ledger: each rule refuses the wrong journal with Visma's message and takes the right one.
@Suite struct JournalVatRuleTests {
    func withClient(
        _ fixture: CompanyFixture = .sampleVenue, _ body: (VismaTestClient) async throws -> Void
    ) async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: fixture, rateLimit: nil)) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            try await body(client)
        }
    }

    func expectRejected(_ response: HTTPResponse, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation)
    {
        #expect(response.status == 400, "\(response.message)", sourceLocation: sourceLocation)
        #expect(response.message.hasPrefix("VismaId: "), sourceLocation: sourceLocation)
        #expect(response.message.contains(fragment), "\(response.message)", sourceLocation: sourceLocation)
    }

    static let right: [VatTestLine] = [.tender(12500), .taxable(10000), .vat(2500)]

    @Test func aVatLineNeedsTheCompanyFunctionalityAndCreateVatTransactions() async throws {
        var without = CompanyFixture.sampleVenue
        without.behaviour.vatEntryFromGeneralLedger = false
        try await withClient(without) { client in
            expectRejected(
                try await client.post("/v2/journaltransaction", VatTestLine.journal(Self.right)),
                "VAT ID 'U25' cannot be used: the functionality 'VAT entry from general ledger' is not enabled")
            // Without VAT lines the flag is ignored, as Visma does: the batch books as plain ledger lines.
            let plain: [VatTestLine] = [
                .tender(12500), .taxable(10000, category: nil), VatTestLine(account: "7200", amount: 2500),
            ]
            #expect(try await client.post("/v2/journaltransaction", VatTestLine.journal(plain)).status == 201)
            #expect(
                try await client.get("/v2/journaltransaction/J-1").jsonObject["createVatTransaction"] as? Bool == false)
        }
        try await withClient { client in
            expectRejected(
                try await client.post("/v2/journaltransaction", VatTestLine.journal(Self.right, createVat: nil)),
                "can only be used when 'Create VAT transactions' is selected")
            #expect(try await client.post("/v2/journaltransaction", VatTestLine.journal(Self.right)).status == 201)
            let journal = try await client.get("/v2/journaltransaction/J-1").jsonObject
            #expect(journal["createVatTransaction"] as? Bool == true)
            let lines = journal["journalTransactionLines"] as? [[String: Any]] ?? []
            #expect((lines[1]["vatCode"] as? [String: Any])?["id"] as? String == "1")
            #expect((lines[2]["vat"] as? [String: Any])?["id"] as? String == "U25")
            #expect(lines.allSatisfy { $0["referenceNumber"] as? String == "J-1" })
        }
    }

    @Test func aVatLineMustBeOnItsVatsPayableAccountWithAKnownVatIdAndARefNo() async throws {
        try await withClient { client in
            expectRejected(
                try await client.post(
                    "/v2/journaltransaction",
                    VatTestLine.journal([.tender(12500), .taxable(10000), .vat(2500, account: "6850")])),
                "Account '6850' is not the VAT payable account of VAT 'U25' (7200)")
            expectRejected(
                try await client.post(
                    "/v2/journaltransaction",
                    VatTestLine.journal([.tender(12500), .taxable(10000), .vat(2500, id: "U99")])),
                "TaxID 'U99' cannot be found in the system")
            expectRejected(
                try await client.post(
                    "/v2/journaltransaction",
                    VatTestLine.journal([.tender(12500), .taxable(10000), .vat(2500, reference: nil)])),
                "needs a Ref. no.")
            #expect(try await client.post("/v2/journaltransaction", VatTestLine.journal(Self.right)).status == 201)
        }
    }

    @Test func aTaxableLineMustCarryAnExistingActiveVatCategory() async throws {
        var company = CompanyFixture.sampleVenue
        company.vatCategories.append(.init(id: "9", description: "Udgået", active: false, vatIds: ["U25"]))
        try await withClient(company) { client in
            expectRejected(
                try await client.post(
                    "/v2/journaltransaction",
                    VatTestLine.journal([.tender(12500), .taxable(10000, category: "U25"), .vat(2500)])),
                "VAT category 'U25' cannot be found in the system")
            expectRejected(
                try await client.post(
                    "/v2/journaltransaction",
                    VatTestLine.journal([.tender(12500), .taxable(10000, category: "9"), .vat(2500)])),
                "VAT category '9' is inactive")
            #expect(try await client.post("/v2/journaltransaction", VatTestLine.journal(Self.right)).status == 201)
        }
    }

    @Test func eachRefNoDocumentMustBalance() async throws {
        try await withClient { client in
            // The batch balances, but document A holds the whole tender and B, with the VAT, none.
            let crossed: [VatTestLine] = [
                .tender(12500, reference: "A"), .taxable(10000, reference: "B"), .vat(2500, reference: "B"),
            ]
            expectRejected(
                try await client.post("/v2/journaltransaction", VatTestLine.journal(crossed)),
                "Document with Reference Nbr. B is not balanced. Tax information may not be created for it.")
            let twoDocuments: [VatTestLine] = [
                .tender(12500, reference: "A"), .taxable(10000, reference: "A"), .vat(2500, reference: "A"),
                .tender(6250, reference: "B"), .taxable(5000, reference: "B"), .vat(1250, reference: "B"),
            ]
            #expect(try await client.post("/v2/journaltransaction", VatTestLine.journal(twoDocuments)).status == 201)
        }
    }

    @Test func everyVatNeedsATaxableLineInItsDocument() async throws {
        try await withClient { client in
            // Category 3 (momsfri) does not contain U25.
            expectRejected(
                try await client.post(
                    "/v2/journaltransaction",
                    VatTestLine.journal([.tender(12500), .taxable(10000, category: "3"), .vat(2500)])),
                "Document Reference Nbr. J-1 doesn't contain any taxable lines that can be applied to U25 Tax")
            #expect(try await client.post("/v2/journaltransaction", VatTestLine.journal(Self.right)).status == 201)
        }
    }

    @Test func theVatMustMatchTaxableTimesRateWithinAnOrePerTaxableLine() async throws {
        try await withClient { client in
            expectRejected(
                try await client.post(
                    "/v2/journaltransaction", VatTestLine.journal([.tender(12502), .taxable(10000), .vat(2502)])),
                "Tax Amount 25.02 does not match the amount 25.00 calculated from taxable amount 100.00 and tax Rate 25% for Tax U25 in the document J-1"
            )
            #expect(
                try await client.post(
                    "/v2/journaltransaction",
                    VatTestLine.journal([.tender(12501), .taxable(10000), .vat(2501)], number: "J-2")
                ).status == 201)
            // Two taxable lines allow two øre; skipVatAmountValidation allows any amount.
            let two: [VatTestLine] = [.tender(12502), .taxable(6000), .taxable(4000, account: "1040"), .vat(2502)]
            #expect(
                try await client.post("/v2/journaltransaction", VatTestLine.journal(two, number: "J-3")).status == 201)
            #expect(
                try await client.post(
                    "/v2/journaltransaction",
                    VatTestLine.journal(
                        [.tender(13000), .taxable(10000), .vat(3000)], number: "J-4", skipValidation: true)
                ).status == 201)
        }
    }
}

/// Financial periods as a company whose year starts in July has them, closed per module.
@Suite struct FinancialPeriodRuleTests {
    /// FY 2026 and 2027 starting in July; period 202705 (November 2026) closed in `closedIn`, 202706 inactive.
    static func julyCompany(closedIn module: CompanyFixture.FinancialPeriod.Module? = nil) -> CompanyFixture {
        var company = CompanyFixture.sampleVenue
        company.financialPeriods = CompanyFixture.FinancialPeriod.financialYears(2026...2027, firstMonth: 7)
        for index in company.financialPeriods.indices {
            if company.financialPeriods[index].period == "202705" {
                company.financialPeriods[index].closedInGeneralLedger = module == .generalLedger
                company.financialPeriods[index].closedInCustomerLedger = module == .customerLedger
            }
            if company.financialPeriods[index].period == "202706" { company.financialPeriods[index].active = false }
        }
        return company
    }

    @Test func aYearStartingInJulyNumbersNovemberAsPeriod05OfTheNextYear() async throws {
        let periods = CompanyFixture.FinancialPeriod.financialYears(2027...2027, firstMonth: 7)
        #expect(periods.first?.startDate == "2026-07-01")
        #expect(periods.last?.endDate == "2027-06-30")
        let november = try #require(periods.first { $0.period == "202705" })
        #expect(november.startDate == "2026-11-01" && november.endDate == "2026-11-30" && november.year == 2027)
        #expect(periods.first { $0.period == "202708" }?.endDate == "2027-02-28")
        try await RunningSimulator.with(SimulatorConfiguration(fixture: Self.julyCompany(), rateLimit: nil)) {
            simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            let listed = try await client.get("/v1/financialPeriod").jsonArray
            let answer = try #require(listed.first { $0["period"] as? String == "202705" })
            #expect(answer["year"] as? Int == 2027)
            #expect(answer["startDate"] as? String == "2026-11-01T00:00:00")
            #expect(answer["active"] as? Bool == true && answer["closedInGeneralLedger"] as? Bool == false)
            // A journal without a period goes to the period containing its date, not to the calendar month.
            #expect(
                try await client.post(
                    "/v2/journaltransaction", VatTestLine.journal(JournalVatRuleTests.right, period: nil)
                ).status == 201)
            #expect(
                try await client.get("/v2/journaltransaction/J-1").jsonObject["financialPeriod"] as? String == "202705")
            // 202611 is May 2026 here (period 11 of FY 2026): a November date does not belong to it.
            let wrong = try await client.post(
                "/v2/journaltransaction",
                VatTestLine.journal(JournalVatRuleTests.right, number: "J-2", period: "202611"))
            #expect(wrong.status == 400, "\(wrong.message)")
            #expect(
                wrong.message.contains(
                    "The transaction date 2026-11-28 is outside the financial period 11-2026 (2026-05-01 – 2026-05-31)"),
                "\(wrong.message)")
        }
    }

    @Test func aPeriodClosedInTheGeneralLedgerRefusesJournalsButTakesPayments() async throws {
        try await RunningSimulator.with(
            SimulatorConfiguration(fixture: Self.julyCompany(closedIn: .generalLedger), rateLimit: nil)
        ) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            let journal = try await client.post(
                "/v2/journaltransaction", VatTestLine.journal(JournalVatRuleTests.right, period: "202705"))
            #expect(
                journal.status == 400
                    && journal.message.contains("Financial period 05-2027 is closed in General ledger"),
                "\(journal.message)")
            #expect(try await client.post("/v1/customer", Payloads.customer("K-1001")).status == 201)
            #expect(
                try await client.post("/v1/customerPayment", Payloads.payment("P-1", customer: "K-1001")).status == 201)
            #expect(
                try await client.get("/v1/customerPayment/P-1").jsonObject["applicationPeriod"] as? String == "202705")
        }
    }

    @Test func aPeriodClosedInTheCustomerLedgerRefusesPaymentsButTakesJournals() async throws {
        try await RunningSimulator.with(
            SimulatorConfiguration(fixture: Self.julyCompany(closedIn: .customerLedger), rateLimit: nil)
        ) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            #expect(try await client.post("/v1/customer", Payloads.customer("K-1001")).status == 201)
            let payment = try await client.post("/v1/customerPayment", Payloads.payment("P-1", customer: "K-1001"))
            #expect(
                payment.status == 400
                    && payment.message.contains("Financial period 05-2027 is closed in Customer ledger"),
                "\(payment.message)")
            #expect(
                try await client.post(
                    "/v2/journaltransaction", VatTestLine.journal(JournalVatRuleTests.right, period: "202705")
                ).status == 201)
        }
    }

    @Test func anInactivePeriodRefusesJournalsAndAFixtureAdditionActivatesIt() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: Self.julyCompany(), rateLimit: nil)) {
            simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            let december = VatTestLine.journal(JournalVatRuleTests.right, date: "2026-12-28", period: "202706")
            let refused = try await client.post("/v2/journaltransaction", december)
            #expect(
                refused.status == 400 && refused.message.contains("Financial period 06-2027 is inactive"),
                "\(refused.message)")
            let addition =
                #"{"financialPeriods": [{"year": 2027, "period": "202706", "startDate": "2026-12-01T00:00:00", "endDate": "2026-12-31T00:00:00", "active": true}]}"#
            #expect(try await client.send("POST", "/_simulator/fixture", json: addition, record: false).status == 200)
            #expect(try await client.post("/v2/journaltransaction", december).status == 201)
        }
    }
}

import Foundation

extension CompanyFixture {
    /// The sample venue's company set up the way a demanding real company is: every `behaviour` switch on.
    ///
    /// A financial year from July to June (November 2026 is period 202705), Visma numbering customers, customer
    /// payments and journals itself, low page caps (the sample week needs several pages of items, customers,
    /// kits and payments), IPP-shaped errors on customer payments and purchase orders, every third release
    /// queued, warehouses required on order lines and VAT booked only as VAT transactions. The demo and the
    /// end-to-end tests run against it (`visma-simulator --company strict`).
    public static var strictVenue: CompanyFixture {
        var company = sampleVenue
        company.name = "Café Havnegade ApS (strict)"
        // Years 2025–2028 run July–June; September 2025 (period 202603) is closed in every ledger, and March 2026
        // (202609) in the general ledger only.
        company.financialPeriods = FinancialPeriod.financialYears(2025...2028, firstMonth: 7, closed: ["202603"])
        for index in company.financialPeriods.indices where company.financialPeriods[index].period == "202609" {
            company.financialPeriods[index].closedInGeneralLedger = true
        }
        company.accounts.append(
            Account(number: "1310", description: "Debitorer", type: "Asset", active: true, controlAccountModule: "AR"))
        var behaviour = Behaviour.sampleVenue
        behaviour.vatEntryFromGeneralLedger = true
        behaviour.numbering = ["customer": .automatic, "customerPayment": .automatic, "journalTransaction": .automatic]
        behaviour.maxPageSize = [
            "inventory": 50, "customer": 10, "customerpayment": 5, "kitspecifications": 10, "supplier": 5,
            "purchaseorder": 5,
            "journaltransaction": 20,
        ]
        behaviour.ippErrors = ["customerpayment", "purchaseorder"]
        behaviour.queuedReleaseEvery = 3
        behaviour.purchaseOrderWarehouseRequired = true
        company.behaviour = behaviour
        return company
    }

    /// A built-in company by name (`sample`, `strict`), else the fixture file at `argument`.
    public static func named(_ argument: String) throws -> CompanyFixture {
        switch argument {
        case "sample": sampleVenue
        case "strict": strictVenue
        default: try load(from: URL(fileURLWithPath: argument))
        }
    }
}

import FlexyVismaCore
import Foundation

/// The Visma company the simulator plays: its reference data and credentials (JSON, `--company FILE`).
///
/// Documented in `docs/SIMULATOR.md`. The built-in default (`sampleVenue`) matches `Samples/` and
/// the configuration `flexyvisma init` writes, so the demo works out of the box.
public struct CompanyFixture: Codable, Sendable, Equatable {
    public var name: String
    public var credentials: Credentials
    public var itemClasses: [ItemClass]
    public var units: [String]
    public var vatCategories: [VatCategory]
    /// VAT ids ("VAT codes") that journal lines may carry in `vatCodeId`.
    public var vatCodes: [VatCode]
    public var paymentMethods: [PaymentMethod]
    public var suppliers: [Supplier]
    public var customerClasses: [CustomerClass]
    /// Customer fields this company insists on: `addressLine1`, `postalCode`, `city`, `countryId`, `email`, `phone`.
    public var customerRequiredFields: [String]
    public var branches: [Branch]
    public var accounts: [Account]
    public var financialPeriods: [FinancialPeriod]
    /// Warehouses (`GET /v1/warehouse`) that purchase order lines may name (absent in a fixture file: none).
    public var warehouses: [Warehouse] = []
    /// How this company's API behaves where real companies differ (absent in a fixture file: the defaults).
    public var behaviour = Behaviour()

    /// Company settings that change what the API accepts and answers; each is sourced in `docs/VISMA.md`.
    public struct Behaviour: Codable, Sendable, Equatable {
        /// "VAT entry from general ledger" (CS100000): journals may create VAT transactions.
        public var vatEntryFromGeneralLedger = true
        /// How each numbering series gives numbers, by document kind (`customer`, `customerPayment`,
        /// `purchaseOrder`, `journalTransaction`); a kind not listed allows our numbers on import.
        public var numbering: [String: Numbering] = [:]
        /// The largest page an endpoint returns, by its path after the version (`customer`, `customerpayment`…);
        /// an endpoint not listed allows `Paging.maxPageSize`.
        public var maxPageSize: [String: Int] = [:]
        /// Endpoints (as in `maxPageSize`) whose list elements carry no `metadata {totalCount, maxPageSize}`,
        /// as GET customer answered between Visma's releases 8.37 and its fix.
        public var pageMetadataOmitted: [String] = []
        /// Endpoints (as in `maxPageSize`) whose errors come in the IPP shape (`ExceptionType`, `ExceptionMessage`, …).
        public var ippErrors: [String] = []
        /// "Quantity decimal places": kit component quantities are stored rounded to this many decimals.
        public var quantityDecimalPlaces = 2
        /// Every n-th release answers `Queued` and completes only on a later look (0: never).
        public var queuedReleaseEvery = 0
        /// Purchase order lines for stock items must name an active warehouse (`PurchaseOrderLineUpdateDto.warehouse`).
        public var purchaseOrderWarehouseRequired = false

        public init() {}

        /// The sample venue's company: recipes in grams need 4 quantity decimal places (Visma's default is 2).
        public static var sampleVenue: Behaviour {
            var behaviour = Behaviour()
            behaviour.quantityDecimalPlaces = 4
            return behaviour
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Behaviour()
            vatEntryFromGeneralLedger =
                try container.decodeIfPresent(Bool.self, forKey: .vatEntryFromGeneralLedger)
                ?? defaults.vatEntryFromGeneralLedger
            numbering =
                try container.decodeIfPresent([String: Numbering].self, forKey: .numbering) ?? defaults.numbering
            maxPageSize =
                try container.decodeIfPresent([String: Int].self, forKey: .maxPageSize) ?? defaults.maxPageSize
            pageMetadataOmitted =
                try container.decodeIfPresent([String].self, forKey: .pageMetadataOmitted)
                ?? defaults.pageMetadataOmitted
            ippErrors = try container.decodeIfPresent([String].self, forKey: .ippErrors) ?? defaults.ippErrors
            quantityDecimalPlaces =
                try container.decodeIfPresent(Int.self, forKey: .quantityDecimalPlaces)
                ?? defaults.quantityDecimalPlaces
            queuedReleaseEvery =
                try container.decodeIfPresent(Int.self, forKey: .queuedReleaseEvery) ?? defaults.queuedReleaseEvery
            purchaseOrderWarehouseRequired =
                try container.decodeIfPresent(Bool.self, forKey: .purchaseOrderWarehouseRequired)
                ?? defaults.purchaseOrderWarehouseRequired
        }
    }

    /// How a numbering series treats a number the client supplies.
    public enum Numbering: String, Codable, Sendable, Equatable {
        /// "Allow manual numbering on imports": a number sent with `overrideNumberSeries` is kept.
        case manualOnImport
        /// The series numbers every new document; a supplied number is replaced by the next one.
        case automatic
    }

    public struct Credentials: Codable, Sendable, Equatable {
        public var tenantId: String
        public var clientId: String
        public var clientSecret: String
        public var tokenLifetimeSeconds: Int
    }

    public struct ItemClass: Codable, Sendable, Equatable {
        public var id: String
        public var description: String
        /// Visma's item type for the class, e.g. `FinishedGoodItem` (stock) or `NonStockItem`.
        public var type: String
        /// Whether the class holds stock items; an item's stock flag follows its class.
        public var stockItem: Bool
    }

    public struct VatCategory: Codable, Sendable, Equatable {
        public var id: String
        public var description: String
        public var active: Bool
        /// The VAT ids the category contains (its "VAT category lines"); a line in this category is taxable for them.
        public var vatIds: [String]?

        public init(id: String, description: String, active: Bool, vatIds: [String]? = nil) {
            self.id = id
            self.description = description
            self.active = active
            self.vatIds = vatIds
        }
    }

    /// A VAT id (TX205000): its rate and the account its sales VAT is posted to.
    public struct VatCode: Codable, Sendable, Equatable {
        public var id: String
        public var description: String
        public var ratePercent: Double
        /// `glAccounts.vatPayableAccount`: a journal's VAT line for this VAT must be on it.
        public var vatPayableAccount: String?

        public init(id: String, description: String, ratePercent: Double, vatPayableAccount: String? = nil) {
            self.id = id
            self.description = description
            self.ratePercent = ratePercent
            self.vatPayableAccount = vatPayableAccount
        }
    }

    public struct PaymentMethod: Codable, Sendable, Equatable {
        public var id: String
        public var description: String
        public var active: Bool
        /// `CreditCard`, `CashOrCheck` or `DirectDeposit`.
        public var meansOfPayment: String
        public var cashAccount: String
    }

    public struct Supplier: Codable, Sendable, Equatable {
        public var number: String
        public var name: String
        public var status: String
    }

    public struct CustomerClass: Codable, Sendable, Equatable {
        public var id: String
        public var description: String
        /// The credit terms a customer of the class starts with (and gets back when class values override).
        public var creditTermsId: String? = nil
    }

    public struct Branch: Codable, Sendable, Equatable {
        public var number: String
        public var name: String
        public var active: Bool
    }

    public struct Account: Codable, Sendable, Equatable {
        public var number: String
        public var description: String
        /// `Asset`, `Liability`, `Income` or `Expense`.
        public var type: String
        public var active: Bool
        /// The module that alone may post to a control account (`AR`, `AP`, …); nil for an ordinary account.
        public var controlAccountModule: String? = nil
    }

    public struct Warehouse: Codable, Sendable, Equatable {
        public var id: String
        public var description: String
        public var active: Bool
        /// The branch number the warehouse belongs to.
        public var branch: String?
    }

    public static func load(from url: URL) throws -> CompanyFixture {
        try BoundedJSONDecoder.decode(CompanyFixture.self, from: Data(contentsOf: url))
    }
}

extension CompanyFixture {
    /// Decodes a fixture file; one written before `behaviour` existed gets the default behaviour.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            credentials: try container.decode(Credentials.self, forKey: .credentials),
            itemClasses: try container.decode([ItemClass].self, forKey: .itemClasses),
            units: try container.decode([String].self, forKey: .units),
            vatCategories: try container.decode([VatCategory].self, forKey: .vatCategories),
            vatCodes: try container.decode([VatCode].self, forKey: .vatCodes),
            paymentMethods: try container.decode([PaymentMethod].self, forKey: .paymentMethods),
            suppliers: try container.decode([Supplier].self, forKey: .suppliers),
            customerClasses: try container.decode([CustomerClass].self, forKey: .customerClasses),
            customerRequiredFields: try container.decode([String].self, forKey: .customerRequiredFields),
            branches: try container.decode([Branch].self, forKey: .branches),
            accounts: try container.decode([Account].self, forKey: .accounts),
            financialPeriods: try container.decode([FinancialPeriod].self, forKey: .financialPeriods),
            warehouses: try container.decodeIfPresent([Warehouse].self, forKey: .warehouses) ?? [],
            behaviour: try container.decodeIfPresent(Behaviour.self, forKey: .behaviour) ?? Behaviour())
    }
}

extension CompanyFixture {
    /// Item types whose items are stock items in Visma.
    static let stockTypes: Set<String> = ["FinishedGoodItem", "ComponentPartItem", "SubassemblyItem"]
    static let itemTypes = [
        "NonStockItem", "LaborItem", "ServiceItem", "ChargeItem", "ExpenseItem", "FinishedGoodItem",
        "ComponentPartItem",
        "SubassemblyItem",
    ]

    /// The company behind the sample venue (Café Havnegade, Odense), for the demo and the tests.
    public static let sampleVenue = CompanyFixture(
        name: "Café Havnegade ApS",
        credentials: Credentials(
            tenantId: "6f1d3f7e-3c1a-4d55-9a61-0b5a3c0f2a10", clientId: "flexyvisma-demo",
            clientSecret: "flexyvisma-demo-secret", tokenLifetimeSeconds: 3600),
        itemClasses: [
            ItemClass(id: "LAGER", description: "Lagervarer", type: "FinishedGoodItem", stockItem: true),
            ItemClass(id: "RAAVARE", description: "Råvarer", type: "ComponentPartItem", stockItem: true),
            ItemClass(id: "IKKELAGER", description: "Ikke-lagervarer (kits)", type: "NonStockItem", stockItem: false),
            ItemClass(id: "SERVICE", description: "Ydelser", type: "ServiceItem", stockItem: false),
        ],
        units: ["STK", "KG", "L", "PAK", "KASSE"],
        vatCategories: [
            VatCategory(id: "1", description: "Moms 25 %", active: true, vatIds: ["U25"]),
            VatCategory(id: "3", description: "Momsfri", active: true, vatIds: ["U0"]),
        ],
        vatCodes: [
            VatCode(id: "U25", description: "Salgsmoms 25 %", ratePercent: 25, vatPayableAccount: "7200"),
            VatCode(id: "U0", description: "Momsfrit salg", ratePercent: 0, vatPayableAccount: "7200"),
        ],
        paymentMethods: [
            PaymentMethod(
                id: "KONTANT", description: "Kontant", active: true, meansOfPayment: "CashOrCheck", cashAccount: "5510"),
            PaymentMethod(
                id: "DANKORT", description: "Dankort", active: true, meansOfPayment: "CreditCard", cashAccount: "5520"),
            PaymentMethod(
                id: "KORT", description: "Visa/Mastercard", active: true, meansOfPayment: "CreditCard",
                cashAccount: "5520"),
            PaymentMethod(
                id: "MOBILEPAY", description: "MobilePay", active: true, meansOfPayment: "DirectDeposit",
                cashAccount: "5530"),
            PaymentMethod(
                id: "GAVEKORT", description: "Gavekort", active: true, meansOfPayment: "CashOrCheck",
                cashAccount: "6850"),
            PaymentMethod(
                id: "SWIPP", description: "Swipp", active: false, meansOfPayment: "DirectDeposit", cashAccount: "5530"),
        ],
        suppliers: [
            Supplier(number: "50001", name: "Hørkram A/S", status: "Active"),
            Supplier(number: "50002", name: "Dagrofa Foodservice", status: "Active"),
            Supplier(number: "50003", name: "Carlsberg Danmark A/S", status: "Active"),
            Supplier(number: "50004", name: "BKI foods a/s", status: "Active"),
            Supplier(number: "50005", name: "Arla Foods amba", status: "Active"),
            Supplier(number: "50006", name: "Lantmännen Schulstad A/S", status: "Active"),
            Supplier(number: "50007", name: "Vinhuset Ribe", status: "Active"),
        ],
        customerClasses: [
            CustomerClass(id: "DK", description: "Danske kunder", creditTermsId: "14D"),
            CustomerClass(id: "PRIVAT", description: "Privatkunder", creditTermsId: "14D"),
            CustomerClass(id: "ERHVERV", description: "Erhvervskunder", creditTermsId: "14D"),
            CustomerClass(id: "FORENING", description: "Foreninger og klubber", creditTermsId: "14D"),
        ],
        customerRequiredFields: ["addressLine1", "postalCode", "city", "countryId"],
        branches: [
            Branch(number: "1", name: "Café Havnegade", active: true),
            Branch(number: "2", name: "Restaurant Havnegade", active: true),
            Branch(number: "3", name: "Bowling (lukket for Visma)", active: false),
        ],
        accounts: [
            Account(number: "1010", description: "Salg, kaffe og te", type: "Income", active: true),
            Account(number: "1020", description: "Salg, kolde drikke", type: "Income", active: true),
            Account(number: "1030", description: "Salg, øl og vin", type: "Income", active: true),
            Account(number: "1040", description: "Salg, bagværk og dessert", type: "Income", active: true),
            Account(number: "1050", description: "Salg, mad", type: "Income", active: true),
            Account(number: "1060", description: "Salg, aviser (momsfri)", type: "Income", active: true),
            Account(number: "1070", description: "Salg, aktiviteter", type: "Income", active: true),
            Account(number: "3690", description: "Øreafrunding", type: "Expense", active: true),
            Account(number: "5510", description: "Kasse", type: "Asset", active: true),
            Account(number: "5520", description: "Kortindløsning (Nets)", type: "Asset", active: true),
            Account(number: "5530", description: "MobilePay", type: "Asset", active: true),
            Account(number: "6850", description: "Gavekort, skyldige", type: "Liability", active: true),
            Account(number: "7200", description: "Salgsmoms", type: "Liability", active: true),
        ],
        financialPeriods: FinancialPeriod.financialYears(2025...2027, firstMonth: 1, closed: ["202509"]),
        warehouses: [
            Warehouse(id: "CAFE", description: "Café, lager", active: true, branch: "1"),
            Warehouse(id: "RESTAURANT", description: "Restaurant, lager", active: true, branch: "2"),
            Warehouse(id: "BOWLING", description: "Bowling, lager (lukket)", active: false, branch: "3"),
        ],
        behaviour: .sampleVenue)
}

import Foundation

/// What the Visma company holds that validation checks against, fetched at validation time (DESIGN §6).
///
/// Saved beside the batch (`reference.json`); its SHA-256 goes into the manifest, so an auditor can
/// see exactly what a batch was checked against.
public struct ReferenceSnapshot: Codable, Sendable, Equatable {
    public var fetchedAt: String
    /// The Visma API base URL it came from.
    public var source: String
    public var itemClasses: [ItemClass]
    public var units: [String]
    public var vatCategories: [VatCategory]
    public var paymentMethods: [PaymentMethod]
    public var suppliers: [Supplier]
    public var customerClasses: [String]
    public var branches: [Branch]
    public var financialPeriods: [FinancialPeriod]
    public var items: [Item]
    public var customers: [String]
    /// Kit specifications; absent in snapshots saved before it was fetched.
    public var kits: [Kit]?
    /// Visma's customer number by the FlexyBox number kept in its `accountReference` (customers
    /// FlexyVisma created, whatever number Visma gave them); absent in older snapshots.
    public var customerKeys: [String: String]?

    public struct ItemClass: Codable, Sendable, Equatable {
        public var id: String
        public var type: String
        /// Derived from the type: Visma's item class DTO carries no stock flag.
        public var stockItem: Bool

        public init(id: String, type: String) {
            self.id = id
            self.type = type
            self.stockItem = ReferenceSnapshot.stockItemTypes.contains(type)
        }
    }

    public struct VatCategory: Codable, Sendable, Equatable {
        public var id: String
        public var active: Bool
        public init(id: String, active: Bool) {
            self.id = id
            self.active = active
        }
    }

    public struct PaymentMethod: Codable, Sendable, Equatable {
        public var id: String
        public var description: String
        public var active: Bool
        public init(id: String, description: String, active: Bool) {
            self.id = id
            self.description = description
            self.active = active
        }
    }

    public struct Supplier: Codable, Sendable, Equatable {
        public var number: String
        public var name: String
        public var active: Bool
        public init(number: String, name: String, active: Bool) {
            self.number = number
            self.name = name
            self.active = active
        }
    }

    public struct Branch: Codable, Sendable, Equatable {
        public var number: String
        public var active: Bool
        public init(number: String, active: Bool) {
            self.number = number
            self.active = active
        }
    }

    public struct FinancialPeriod: Codable, Sendable, Equatable {
        /// `YYYYMM`.
        public var period: String
        public var closed: Bool
        public init(period: String, closed: Bool) {
            self.period = period
            self.closed = closed
        }
    }

    public struct Item: Codable, Sendable, Equatable {
        public var number: String
        public var itemClass: String
        public var stockItem: Bool
        public var kitItem: Bool
        /// What transform compares to skip unchanged items.
        public var description: String?
        public var defaultPrice: Double?
        public var baseUnit: String?
        public var vatCategory: String?
        public var status: String?

        public init(
            number: String, itemClass: String, stockItem: Bool, kitItem: Bool, description: String? = nil,
            defaultPrice: Double? = nil, baseUnit: String? = nil, vatCategory: String? = nil, status: String? = nil
        ) {
            self.number = number
            self.itemClass = itemClass
            self.stockItem = stockItem
            self.kitItem = kitItem
            self.description = description
            self.defaultPrice = defaultPrice
            self.baseUnit = baseUnit
            self.vatCategory = vatCategory
            self.status = status
        }
    }

    /// A kit specification revision as Visma holds it.
    public struct Kit: Codable, Sendable, Equatable {
        public var item: String
        public var revision: String
        /// `component:quantity` (quantity in ten-thousandths), in line order.
        public var components: [String]

        public init(item: String, revision: String, components: [String]) {
            self.item = item
            self.revision = revision
            self.components = components
        }
    }

    public init(
        fetchedAt: String, source: String, itemClasses: [ItemClass], units: [String], vatCategories: [VatCategory],
        paymentMethods: [PaymentMethod], suppliers: [Supplier], customerClasses: [String], branches: [Branch],
        financialPeriods: [FinancialPeriod], items: [Item], customers: [String], kits: [Kit]? = nil,
        customerKeys: [String: String]? = nil
    ) {
        self.customerKeys = customerKeys
        self.fetchedAt = fetchedAt
        self.source = source
        self.itemClasses = itemClasses
        self.units = units
        self.vatCategories = vatCategories
        self.paymentMethods = paymentMethods
        self.suppliers = suppliers
        self.customerClasses = customerClasses
        self.branches = branches
        self.financialPeriods = financialPeriods
        self.items = items
        self.customers = customers
        self.kits = kits
    }

    /// Visma's number for the customer FlexyBox knows as `key`: the one keeping `key` in its account
    /// reference, else the one numbered `key` unless that number belongs to another of ours; nil when Visma has none.
    public func vismaCustomer(_ key: String) -> String? {
        if let number = customerKeys?[key] { return number }
        guard customers.contains(key) else { return nil }
        let claimed = customerKeys?.contains { $0.key != key && $0.value == key } ?? false
        return claimed ? nil : key
    }

    /// Item types whose items are stock items in Visma.
    public static let stockItemTypes: Set<String> = ["FinishedGoodItem", "ComponentPartItem", "SubassemblyItem"]

    public func encoded() throws -> Data {
        try CanonicalJSON.encode(self)
    }

    public static func load(from url: URL) throws -> ReferenceSnapshot {
        do {
            return try JSONDecoder().decode(ReferenceSnapshot.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw OperatorMessage(.configuration, "\(url.path) is not a reference snapshot: \(error.plainDescription)")
        } catch {
            throw OperatorMessage(.configuration, "cannot read the reference snapshot \(url.path): \(error.localizedDescription)")
        }
    }
}

import Foundation

/// What the Visma company holds that validation checks against, fetched at validation time (docs/VALIDATION.md).
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
    /// Customers with the fields FlexyBox owns; a snapshot saved before those were fetched lists only numbers.
    public var customers: [Customer]
    /// Kit specifications; absent in snapshots saved before it was fetched.
    public var kits: [Kit]?
    /// VAT IDs; absent in snapshots saved before they were fetched.
    public var vats: [Vat]?
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

    /// A VAT ID: where its sales VAT is booked and at what rate.
    public struct Vat: Codable, Sendable, Equatable {
        public var id: String
        /// `glAccounts.vatPayableAccount.number`; nil when Visma names none.
        public var payableAccount: String?
        /// The rate of the latest schedule line, in percent.
        public var ratePercent: Double?
        public init(id: String, payableAccount: String?, ratePercent: Double?) {
            self.id = id
            self.payableAccount = payableAccount
            self.ratePercent = ratePercent
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

    /// A customer as Visma holds it: the fields FlexyBox owns, so that transform sends only what changed.
    ///
    /// Decodes from a bare customer number too (older snapshots): then every field is unknown (nil), and
    /// every field FlexyBox has is sent.
    public struct Customer: Codable, Sendable, Equatable {
        public var number: String
        public var name: String?
        public var addressLine1: String?
        public var addressLine2: String?
        public var postalCode: String?
        public var city: String?
        public var country: String?
        public var email: String?
        public var phone: String?
        public var customerClass: String?
        /// The CVR number.
        public var corporateId: String?

        public init(
            number: String, name: String? = nil, addressLine1: String? = nil, addressLine2: String? = nil,
            postalCode: String? = nil,
            city: String? = nil, country: String? = nil, email: String? = nil, phone: String? = nil,
            customerClass: String? = nil,
            corporateId: String? = nil
        ) {
            self.number = number
            self.name = name
            self.addressLine1 = addressLine1
            self.addressLine2 = addressLine2
            self.postalCode = postalCode
            self.city = city
            self.country = country
            self.email = email
            self.phone = phone
            self.customerClass = customerClass
            self.corporateId = corporateId
        }

        private enum CodingKeys: String, CodingKey {
            case number, name, addressLine1, addressLine2, postalCode, city, country, email, phone, customerClass,
                corporateId
        }

        public init(from decoder: any Decoder) throws {
            if let number = try? decoder.singleValueContainer().decode(String.self) {
                self.init(number: number)
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                number: try container.decode(String.self, forKey: .number),
                name: try container.decodeIfPresent(String.self, forKey: .name),
                addressLine1: try container.decodeIfPresent(String.self, forKey: .addressLine1),
                addressLine2: try container.decodeIfPresent(String.self, forKey: .addressLine2),
                postalCode: try container.decodeIfPresent(String.self, forKey: .postalCode),
                city: try container.decodeIfPresent(String.self, forKey: .city),
                country: try container.decodeIfPresent(String.self, forKey: .country),
                email: try container.decodeIfPresent(String.self, forKey: .email),
                phone: try container.decodeIfPresent(String.self, forKey: .phone),
                customerClass: try container.decodeIfPresent(String.self, forKey: .customerClass),
                corporateId: try container.decodeIfPresent(String.self, forKey: .corporateId))
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
        financialPeriods: [FinancialPeriod], items: [Item], customers: [Customer], kits: [Kit]? = nil,
        vats: [Vat]? = nil,
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
        self.vats = vats
    }

    /// The period whose dates contain `day` (`yyyy-MM-dd`).
    public func financialPeriod(containing day: String) -> FinancialPeriod? {
        financialPeriods.first { $0.contains(day: day) }
    }

    /// Visma's number for the customer FlexyBox knows as `key`: the one keeping `key` in its account
    /// reference, else the one numbered `key` unless that number belongs to another of ours; nil when Visma has none.
    public func vismaCustomer(_ key: String) -> String? {
        if let number = customerKeys?[key] { return number }
        guard customers.contains(where: { $0.number == key }) else { return nil }
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
            return try BoundedJSONDecoder.decode(ReferenceSnapshot.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw OperatorMessage(.configuration, "\(url.path) is not a reference snapshot: \(error.plainDescription)")
        } catch {
            throw OperatorMessage(
                .configuration, "cannot read the reference snapshot \(url.path): \(error.localizedDescription)")
        }
    }
}

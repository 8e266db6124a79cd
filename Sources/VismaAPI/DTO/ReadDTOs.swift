/// An answer we read from Visma, named after its schema in Visma's OpenAPI document.
///
/// Every field is optional, as Visma leaves out what is unset; the mapping that reads a DTO says
/// what an absent field stands for. `Encodable` too, so that its keys can be checked against the document.
public protocol VismaReadDTO: Codable, Sendable, Equatable {
    /// The schema of one answer (or of one element of a list answer) in the official document.
    static var openAPISchema: String { get }
}

/// An element of a list Visma pages through: the first of a page carries the total.
public protocol PagedListElement: VismaReadDTO {
    var metadata: MetadataDto? { get }
}

/// Paging facts beside a list's elements.
public struct MetadataDto: Codable, Sendable, Equatable {
    public var totalCount: Int?
    /// The largest page the endpoint returns; a larger `pageSize` is limited to it.
    public var maxPageSize: Int?
}

/// GET /v1/inventory/itemClass.
public struct ItemClassDto: VismaReadDTO {
    public static let openAPISchema = "ItemClassDto"
    public var id: String?
    /// `NonStockItem`, `FinishedGoodItem`, …
    public var type: String?
}

/// GET /v1/unitofmeasure: a conversion between two units.
public struct UnitOfMeasureDto: VismaReadDTO {
    public static let openAPISchema = "UnitOfMeasureDto"
    public var fromUnit: String?
    public var toUnit: String?
}

/// GET /v1/vatCategory.
public struct VatCategoryDto: VismaReadDTO {
    public static let openAPISchema = "VatCategoryDto"
    public var vatCategoryId: String?
    public var active: Bool?
}

/// GET /v1/paymentmethod.
public struct PaymentMethodDto: VismaReadDTO {
    public static let openAPISchema = "PaymentMethodDto"
    public var paymentMethodID: String?
    public var description: String?
    public var active: Bool?
}

/// GET /v1/supplier (paged).
public struct SupplierDto: PagedListElement {
    public static let openAPISchema = "SupplierDto"
    public var number: String?
    public var name: String?
    /// `Active`, `OnHold`, `HoldPayments`, `Inactive` or `OneTime`.
    public var status: String?
    public var metadata: MetadataDto?
}

/// GET /v1/customer/customerClass.
public struct CustomerClassDto: VismaReadDTO {
    public static let openAPISchema = "CustomerClassDto"
    public var id: String?
}

/// GET /v1/branch.
public struct BranchDto: VismaReadDTO {
    public static let openAPISchema = "BranchDto"
    public var number: String?
    public var isActive: Bool?
}

/// GET /v1/financialPeriod.
public struct FinancialPeriodDto: VismaReadDTO {
    public static let openAPISchema = "FinancialPeriodDto"
    /// `yyyyMM`.
    public var period: String?
    public var closedInGeneralLedger: Bool?
}

/// GET /v1/inventory (paged).
public struct InventoryDto: PagedListElement {
    public static let openAPISchema = "InventoryDto"
    public var inventoryNumber: String?
    public var itemClass: ItemClassReference?
    public var stockItem: Bool?
    public var kitItem: Bool?
    public var description: String?
    public var defaultPrice: Double?
    public var baseUnit: String?
    public var vatCode: VatCodeReference?
    /// `Active`, `Inactive`, …
    public var status: String?
    public var metadata: MetadataDto?

    /// The item's class, as an item names it.
    public struct ItemClassReference: Codable, Sendable, Equatable {
        public var id: String?
    }

    /// The item's VAT category, as an item names it.
    public struct VatCodeReference: Codable, Sendable, Equatable {
        public var id: String?
    }
}

/// GET /v1/KitSpecifications: one page of kit specifications.
public struct KitSpecificationPageDto: VismaReadDTO {
    public static let openAPISchema = "BasePaginationDtoOfKitSpecificationDto"
    public var totalCount: Int?
    /// The page size Visma used (the one asked for, limited to the cap).
    public var pageSize: Int?
    public var records: [KitSpecificationDto]?
}

/// A kit's bill of materials, one revision.
public struct KitSpecificationDto: Codable, Sendable, Equatable {
    public var kitInventoryID: String?
    public var revision: String?
    public var stockComponentLines: [KitComponentDto]?
    public var nonStockComponentLines: [KitComponentDto]?
}

/// One component line of a kit specification (stock and non-stock lines alike).
public struct KitComponentDto: Codable, Sendable, Equatable {
    public var componentID: String?
    public var componentQty: Double?
}

/// GET /v1/customer (paged).
public struct CustomerDto: PagedListElement {
    public static let openAPISchema = "CustomerDto"
    public var number: String?
    /// "Account ref.": where FlexyVisma keeps FlexyBox's customer number.
    public var accountReference: String?
    public var metadata: MetadataDto?
}

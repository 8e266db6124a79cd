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
    /// The financial year (which need not be the calendar year of the period's dates).
    public var year: Int?
    /// The year and the period's number in it; read as `YYYYPP` or `PPYYYY` (the OAS names no format).
    public var period: String?
    /// The first and last day, `yyyy-MM-ddT00:00:00`.
    public var startDate: String?
    public var endDate: String?
    /// The period can be used for posting at all.
    public var active: Bool?
    public var closedInGeneralLedger: Bool?
    public var closedInCustomerLedger: Bool?
}

/// GET /v1/vat and /v1/vat/{vatId}: a VAT ID with its rate and GL accounts.
public struct VatInformationDto: VismaReadDTO {
    public static let openAPISchema = "VatInformationDto"
    public var vatId: String?
    public var description: String?
    public var glAccounts: GLAccounts?
    public var schedules: [Schedule]?

    public struct GLAccounts: Codable, Sendable, Equatable {
        public var vatPayableAccount: Account?
    }

    public struct Account: Codable, Sendable, Equatable {
        public var number: String?
    }

    public struct Schedule: Codable, Sendable, Equatable {
        public var startDate: String?
        public var vatRate: Double?
    }
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
    public var name: String?
    public var corporateId: String?
    public var customerClass: Reference?
    public var mainAddress: Address?
    public var mainContact: Contact?
    public var metadata: MetadataDto?

    public struct Reference: Codable, Sendable, Equatable {
        public var id: String?
    }

    public struct Address: Codable, Sendable, Equatable {
        public var addressLine1: String?
        public var addressLine2: String?
        public var postalCode: String?
        public var city: String?
        public var country: Reference?
    }

    public struct Contact: Codable, Sendable, Equatable {
        public var name: String?
        public var email: String?
        public var phone1: String?
    }
}

/// GET /v1/customerPayment (paged): what applying a refund needs of a customer's documents.
public struct PaymentDto: PagedListElement {
    public static let openAPISchema = "PaymentDto"
    /// `Payment`, `Prepayment`, `CreditNote`, `Refund`…
    public var type: String?
    public var refNbr: String?
    /// `Hold`, `Balanced`, `Open`, `Closed`…
    public var status: String?
    public var applicationDate: String?
    public var paymentAmount: Double?
    public var availableBalance: Double?
    public var customer: Customer?
    public var metadata: MetadataDto?

    public struct Customer: Codable, Sendable, Equatable {
        public var number: String?
    }
}

/// The answer to a release action (`ReleasePaymentActionResultDto`, `ReleaseJournalTransactionActionResultDto`).
public struct ReleaseActionResultDto: Codable, Sendable, Equatable {
    public var actionId: String?
    /// `Queued`, `InProcess`, `Failed` or `Done`.
    public var actionResult: String?
    public var errorInfo: String?
}

/// A file attached to a document (`AttachmentDto`): Visma's id of its latest revision, its name and revision number.
public struct AttachmentDto: Codable, Sendable, Equatable {
    public var name: String?
    public var id: String?
    public var revision: Int?

    public init(name: String?, id: String?, revision: Int?) {
        self.name = name
        self.id = id
        self.revision = revision
    }
}

/// The part of a journal transaction (`JournalTransactionDto`) that lists its attachments.
public struct JournalTransactionAttachmentsDto: Codable, Sendable, Equatable {
    public var attachments: [AttachmentDto]?
}

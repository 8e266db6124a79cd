/// An item to create (POST /v1/inventory, with `inventoryNumber`) or change (PUT /v1/inventory/{number}, without).
public struct InventoryUpdateDto: VismaWriteDTO {
    public static let openAPISchema = "InventoryUpdateDto"

    public var inventoryNumber: DtoValue<String>?
    public var description: DtoValue<String>?
    public var itemClass: DtoValue<String>?
    /// `NonStockItem`, `FinishedGoodItem`, … (the item class's type).
    public var type: DtoValue<String>?
    /// `Active` or `Inactive`.
    public var status: DtoValue<String>?
    public var baseUnit: DtoValue<String>?
    public var salesUnit: DtoValue<String>?
    public var purchaseUnit: DtoValue<String>?
    public var kitItem: DtoValue<Bool>?
    /// The VAT category id.
    public var vatCode: DtoValue<String>?
    public var defaultPrice: DtoValue<Double>?

    public init(
        inventoryNumber: DtoValue<String>? = nil, description: DtoValue<String>? = nil,
        itemClass: DtoValue<String>? = nil,
        type: DtoValue<String>? = nil, status: DtoValue<String>? = nil, baseUnit: DtoValue<String>? = nil,
        salesUnit: DtoValue<String>? = nil, purchaseUnit: DtoValue<String>? = nil, kitItem: DtoValue<Bool>? = nil,
        vatCode: DtoValue<String>? = nil, defaultPrice: DtoValue<Double>? = nil
    ) {
        self.inventoryNumber = inventoryNumber
        self.description = description
        self.itemClass = itemClass
        self.type = type
        self.status = status
        self.baseUnit = baseUnit
        self.salesUnit = salesUnit
        self.purchaseUnit = purchaseUnit
        self.kitItem = kitItem
        self.vatCode = vatCode
        self.defaultPrice = defaultPrice
    }
}

/// A kit's bill of materials, one revision (POST /v1/KitSpecifications).
public struct KitSpecificationUpdateDto: VismaWriteDTO {
    public static let openAPISchema = "KitSpecificationUpdateDto"

    public var kitInventoryID: DtoValue<String>?
    public var revisionID: DtoValue<String>?
    public var descr: DtoValue<String>?
    public var isActive: DtoValue<Bool>?
    public var isNonStock: DtoValue<Bool>?
    public var stockComponentLines: [KitComponentUpdateDto]?
    public var nonStockComponentLines: [KitComponentUpdateDto]?

    public init(
        kitInventoryID: DtoValue<String>? = nil, revisionID: DtoValue<String>? = nil, descr: DtoValue<String>? = nil,
        isActive: DtoValue<Bool>? = nil, isNonStock: DtoValue<Bool>? = nil,
        stockComponentLines: [KitComponentUpdateDto]? = nil,
        nonStockComponentLines: [KitComponentUpdateDto]? = nil
    ) {
        self.kitInventoryID = kitInventoryID
        self.revisionID = revisionID
        self.descr = descr
        self.isActive = isActive
        self.isNonStock = isNonStock
        self.stockComponentLines = stockComponentLines
        self.nonStockComponentLines = nonStockComponentLines
    }
}

/// One component line of a kit specification: the fields the stock and the non-stock line schemas
/// (`KitSpecificationStockComponentsUpdateDto`, `KitSpecificationNonStockComponentsUpdateDto`) share.
public struct KitComponentUpdateDto: Encodable, Sendable, Equatable {
    public var operation: LineOperation?
    public var lineNbr: DtoValue<Int>?
    public var compInventoryID: DtoValue<String>?
    public var dfltCompQty: DtoValue<Double>?
    public var uom: DtoValue<String>?

    public init(
        operation: LineOperation? = nil, lineNbr: DtoValue<Int>? = nil, compInventoryID: DtoValue<String>? = nil,
        dfltCompQty: DtoValue<Double>? = nil, uom: DtoValue<String>? = nil
    ) {
        self.operation = operation
        self.lineNbr = lineNbr
        self.compInventoryID = compInventoryID
        self.dfltCompQty = dfltCompQty
        self.uom = uom
    }
}

/// A purchase order (POST /v1/purchaseorder).
public struct PurchaseOrderUpdateDto: VismaWriteDTO {
    public static let openAPISchema = "PurchaseOrderUpdateDto"

    /// `RegularOrder`, `DropShip`, `Blanket` or `StandardBlanket`.
    public var orderType: DtoValue<String>?
    public var orderNumber: DtoValue<String>?
    public var overrideNumberSeries: DtoValue<Bool>?
    /// `yyyy-MM-ddT00:00:00`.
    public var date: DtoValue<String>?
    /// The supplier number.
    public var supplier: DtoValue<String>?
    public var hold: DtoValue<Bool>?
    public var description: DtoValue<String>?
    public var branch: DtoValue<String>?
    public var lines: [PurchaseOrderLineUpdateDto]?

    public init(
        orderType: DtoValue<String>? = nil, orderNumber: DtoValue<String>? = nil, overrideNumberSeries: DtoValue<Bool>? = nil,
        date: DtoValue<String>? = nil, supplier: DtoValue<String>? = nil, hold: DtoValue<Bool>? = nil,
        description: DtoValue<String>? = nil, branch: DtoValue<String>? = nil, lines: [PurchaseOrderLineUpdateDto]? = nil
    ) {
        self.orderType = orderType
        self.orderNumber = orderNumber
        self.overrideNumberSeries = overrideNumberSeries
        self.date = date
        self.supplier = supplier
        self.hold = hold
        self.description = description
        self.branch = branch
        self.lines = lines
    }
}

/// One line of a purchase order.
public struct PurchaseOrderLineUpdateDto: Encodable, Sendable, Equatable {
    public var operation: LineOperation?
    public var lineNumber: DtoValue<Int>?
    /// The item number.
    public var inventory: DtoValue<String>?
    /// `GoodsForInventory`, …
    public var lineType: DtoValue<String>?
    public var uom: DtoValue<String>?
    public var orderQty: DtoValue<Double>?
    public var unitCost: DtoValue<Double>?

    public init(
        operation: LineOperation? = nil, lineNumber: DtoValue<Int>? = nil, inventory: DtoValue<String>? = nil,
        lineType: DtoValue<String>? = nil, uom: DtoValue<String>? = nil, orderQty: DtoValue<Double>? = nil,
        unitCost: DtoValue<Double>? = nil
    ) {
        self.operation = operation
        self.lineNumber = lineNumber
        self.inventory = inventory
        self.lineType = lineType
        self.uom = uom
        self.orderQty = orderQty
        self.unitCost = unitCost
    }
}

/// A general-ledger journal transaction (POST /v2/journaltransaction).
public struct JournalTransactionUpdateDto: VismaWriteDTO {
    public static let openAPISchema = "JournalTransactionUpdateDto"

    public var batchNumber: DtoValue<String>?
    public var overrideNumberSeries: DtoValue<Bool>?
    /// `yyyy-MM-ddT00:00:00`.
    public var transactionDate: DtoValue<String>?
    /// `yyyyMM`.
    public var financialPeriod: DtoValue<String>?
    public var description: DtoValue<String>?
    public var hold: DtoValue<Bool>?
    public var branch: DtoValue<String>?
    public var journalTransactionLines: [JournalTransactionLineUpdateDto]?

    public init(
        batchNumber: DtoValue<String>? = nil, overrideNumberSeries: DtoValue<Bool>? = nil, transactionDate: DtoValue<String>? = nil,
        financialPeriod: DtoValue<String>? = nil, description: DtoValue<String>? = nil, hold: DtoValue<Bool>? = nil,
        branch: DtoValue<String>? = nil, journalTransactionLines: [JournalTransactionLineUpdateDto]? = nil
    ) {
        self.batchNumber = batchNumber
        self.overrideNumberSeries = overrideNumberSeries
        self.transactionDate = transactionDate
        self.financialPeriod = financialPeriod
        self.description = description
        self.hold = hold
        self.branch = branch
        self.journalTransactionLines = journalTransactionLines
    }
}

/// One line of a journal transaction: a debit or a credit on an account.
public struct JournalTransactionLineUpdateDto: Encodable, Sendable, Equatable {
    public var operation: LineOperation?
    public var lineNumber: DtoValue<Int>?
    public var accountNumber: DtoValue<String>?
    public var transactionDescription: DtoValue<String>?
    public var debitAmountInCurrency: DtoValue<Double>?
    public var creditAmountInCurrency: DtoValue<Double>?
    public var vatCodeId: DtoValue<String>?
    public var branch: DtoValue<String>?
    /// "Ref. no.": the journal's own key on every line (VAT document grouping, and how a lost answer is recovered).
    public var referenceNumber: DtoValue<String>?

    public init(
        operation: LineOperation? = nil, lineNumber: DtoValue<Int>? = nil, accountNumber: DtoValue<String>? = nil,
        transactionDescription: DtoValue<String>? = nil, debitAmountInCurrency: DtoValue<Double>? = nil,
        creditAmountInCurrency: DtoValue<Double>? = nil, vatCodeId: DtoValue<String>? = nil, branch: DtoValue<String>? = nil,
        referenceNumber: DtoValue<String>? = nil
    ) {
        self.referenceNumber = referenceNumber
        self.operation = operation
        self.lineNumber = lineNumber
        self.accountNumber = accountNumber
        self.transactionDescription = transactionDescription
        self.debitAmountInCurrency = debitAmountInCurrency
        self.creditAmountInCurrency = creditAmountInCurrency
        self.vatCodeId = vatCodeId
        self.branch = branch
    }
}

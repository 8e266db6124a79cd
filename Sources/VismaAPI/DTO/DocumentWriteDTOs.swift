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
        orderType: DtoValue<String>? = nil, orderNumber: DtoValue<String>? = nil,
        overrideNumberSeries: DtoValue<Bool>? = nil,
        date: DtoValue<String>? = nil, supplier: DtoValue<String>? = nil, hold: DtoValue<Bool>? = nil,
        description: DtoValue<String>? = nil, branch: DtoValue<String>? = nil,
        lines: [PurchaseOrderLineUpdateDto]? = nil
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
    /// The warehouse the goods are received into (the department's `warehouse`).
    public var warehouse: DtoValue<String>?
    public var uom: DtoValue<String>?
    public var orderQty: DtoValue<Double>?
    public var unitCost: DtoValue<Double>?

    public init(
        operation: LineOperation? = nil, lineNumber: DtoValue<Int>? = nil, inventory: DtoValue<String>? = nil,
        lineType: DtoValue<String>? = nil, warehouse: DtoValue<String>? = nil, uom: DtoValue<String>? = nil,
        orderQty: DtoValue<Double>? = nil, unitCost: DtoValue<Double>? = nil
    ) {
        self.operation = operation
        self.lineNumber = lineNumber
        self.inventory = inventory
        self.lineType = lineType
        self.warehouse = warehouse
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
    /// The OAS's "YYYYMM": the financial year and the period's number in it (`YYYYPP`), from `GET /v1/financialPeriod`.
    public var financialPeriod: DtoValue<String>?
    public var description: DtoValue<String>?
    public var hold: DtoValue<Bool>?
    public var branch: DtoValue<String>?
    /// "Create VAT transactions": lines with `vatId`/`vatCodeId` reach the VAT report.
    public var createVatTransaction: DtoValue<Bool>?
    public var skipVatAmountValidation: DtoValue<Bool>?
    public var journalTransactionLines: [JournalTransactionLineUpdateDto]?

    public init(
        batchNumber: DtoValue<String>? = nil, overrideNumberSeries: DtoValue<Bool>? = nil,
        transactionDate: DtoValue<String>? = nil,
        financialPeriod: DtoValue<String>? = nil, description: DtoValue<String>? = nil, hold: DtoValue<Bool>? = nil,
        branch: DtoValue<String>? = nil, createVatTransaction: DtoValue<Bool>? = nil,
        skipVatAmountValidation: DtoValue<Bool>? = nil,
        journalTransactionLines: [JournalTransactionLineUpdateDto]? = nil
    ) {
        self.batchNumber = batchNumber
        self.overrideNumberSeries = overrideNumberSeries
        self.transactionDate = transactionDate
        self.financialPeriod = financialPeriod
        self.description = description
        self.hold = hold
        self.branch = branch
        self.createVatTransaction = createVatTransaction
        self.skipVatAmountValidation = skipVatAmountValidation
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
    /// "Ref. no.": lines sharing it form one VAT document.
    public var referenceNumber: DtoValue<String>?
    /// The VAT category of a taxable line.
    public var vatCodeId: DtoValue<String>?
    /// The VAT ID of a VAT line.
    public var vatId: DtoValue<String>?
    public var branch: DtoValue<String>?

    public init(
        operation: LineOperation? = nil, lineNumber: DtoValue<Int>? = nil, accountNumber: DtoValue<String>? = nil,
        transactionDescription: DtoValue<String>? = nil, debitAmountInCurrency: DtoValue<Double>? = nil,
        creditAmountInCurrency: DtoValue<Double>? = nil, referenceNumber: DtoValue<String>? = nil,
        vatCodeId: DtoValue<String>? = nil,
        vatId: DtoValue<String>? = nil, branch: DtoValue<String>? = nil
    ) {
        self.operation = operation
        self.lineNumber = lineNumber
        self.accountNumber = accountNumber
        self.transactionDescription = transactionDescription
        self.debitAmountInCurrency = debitAmountInCurrency
        self.creditAmountInCurrency = creditAmountInCurrency
        self.referenceNumber = referenceNumber
        self.vatCodeId = vatCodeId
        self.vatId = vatId
        self.branch = branch
    }
}

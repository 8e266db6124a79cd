/// GET /v1/account: a general ledger account.
public struct AccountDto: VismaReadDTO {
    public static let openAPISchema = "AccountDto"
    public var accountCD: String?
    public var description: String?
    /// `Asset`, `Liability`, `Income` or `Expense`.
    public var type: String?
    public var active: Bool?
    /// Set on a control account: the module (customer ledger, supplier ledger, …) that alone posts to it.
    public var controlAccountModule: String?
}

/// GET /v1/numberSequence: a numbering series (CS201010).
public struct NumberingDto: VismaReadDTO {
    public static let openAPISchema = "NumberingDto"
    public var numberingId: String?
    public var description: String?
    /// The series gives no numbers: every document needs one supplied.
    public var manualNumbering: Bool?
}

/// GET /v1/warehouse.
public struct WarehouseDto: VismaReadDTO {
    public static let openAPISchema = "WarehouseDto"
    public var warehouseID: String?
    public var description: String?
    public var active: Bool?
}

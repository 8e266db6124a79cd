import FlexyVismaCore
import VismaAPI

/// What the doctor read from the Visma company, one list per lookup.
public struct CompanyFacts: Sendable {
    public var accounts: [AccountDto] = []
    public var vatIds: [VatInformationDto] = []
    public var vatCategories: [VatCategoryDto] = []
    public var paymentMethods: [PaymentMethodDto] = []
    public var branches: [BranchDto] = []
    public var warehouses: [WarehouseDto] = []
    public var periods: [FinancialPeriodDto] = []
    public var numbering: [NumberingDto] = []
    public var itemClasses: [ItemClassDto] = []
    public var customerClasses: [CustomerClassDto] = []
    public var units: [UnitOfMeasureDto] = []
    /// Suppliers found by each name the waiting purchase orders use.
    public var suppliersByName: [String: [SupplierDto]] = [:]

    public init() {}
}

/// The checks of the configuration and the waiting batches against what the company holds; no I/O.
public struct CompanyChecks: Sendable {
    public let configuration: PipelineConfiguration
    public let work: WaitingWork
    public let facts: CompanyFacts

    public init(configuration: PipelineConfiguration, work: WaitingWork, facts: CompanyFacts) {
        self.configuration = configuration
        self.work = work
        self.facts = facts
    }

    /// Item types whose items are stock items (OAS `ItemClassDto.type` lists all eight).
    static let stockTypes: Set<String> = ["FinishedGoodItem", "ComponentPartItem", "SubassemblyItem"]

    public var all: [DoctorCheck] {
        accounts() + vat() + paymentMethods() + branches() + warehouses() + periods() + numbering() + itemClasses()
            + customerClass()
            + suppliers() + units()
    }

    /// Every account the configuration maps, with the settings that map it.
    var mappedAccounts: [(account: String, paths: [String])] {
        var paths: [String: [String]] = [:]
        for (group, mapping) in configuration.itemGroups {
            paths[mapping.revenueAccount, default: []].append("itemGroups.\(group).revenueAccount")
        }
        for (code, mapping) in configuration.vatCodes {
            // The VAT line goes on the VAT ID's payable account in Visma unless the configuration names one.
            let payable = facts.vatIds.first { $0.vatId == mapping.vismaVatCode }?.glAccounts?.vatPayableAccount?.number
            guard let account = mapping.outputVatAccount ?? payable else { continue }
            paths[account, default: []].append(
                mapping.outputVatAccount == nil
                    ? "VAT ID \(mapping.vismaVatCode)'s payable account" : "vatCodes.\(code).outputVatAccount")
        }
        for (type, mapping) in configuration.paymentTypes {
            paths[mapping.account, default: []].append("paymentTypes.\(type).account")
        }
        paths[configuration.accounts.rounding, default: []].append("accounts.rounding")
        return paths.keys.sorted().map { ($0, (paths[$0] ?? []).sorted()) }
    }

    func accounts() -> [DoctorCheck] {
        let byNumber = Dictionary(
            facts.accounts.map { ($0.accountCD ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [DoctorCheck] = []
        for (number, paths) in mappedAccounts {
            let usedBy = "(\(paths.joined(separator: ", ")))"
            guard let account = byNumber[number] else {
                problems.append(
                    .fail(
                        "accounts", "Account \(number) \(usedBy) does not exist in Visma.",
                        fix:
                            "create it in the chart of accounts (GL202500), or map an existing account in flexyvisma.json."
                    ))
                continue
            }
            if account.active == false {
                problems.append(
                    .fail(
                        "accounts", "Account \(number) \(usedBy) is inactive.",
                        fix:
                            "tick Active for it in the chart of accounts (GL202500), or map an active account in flexyvisma.json."
                    ))
            }
            if let module = account.controlAccountModule, !module.isEmpty {
                problems.append(
                    .fail(
                        "accounts",
                        "Account \(number) \(usedBy) is a control account of module \(module): journals from the general ledger cannot post to it.",
                        fix:
                            "map an ordinary account in flexyvisma.json, or clear the control account setting in GL202500."
                    ))
            }
        }
        return problems.isEmpty
            ? [
                .pass(
                    "accounts",
                    "The \(mappedAccounts.count) accounts flexyvisma.json maps exist, are active and are no control accounts."
                )
            ]
            : problems
    }

    func vat() -> [DoctorCheck] {
        var problems: [DoctorCheck] = []
        let vatIds = Set(facts.vatIds.compactMap(\.vatId))
        let categories = Dictionary(
            facts.vatCategories.map { ($0.vatCategoryId ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        for (code, mapping) in configuration.vatCodes.sorted(by: { $0.key < $1.key }) {
            if !vatIds.contains(mapping.vismaVatCode) {
                problems.append(
                    .fail(
                        "vat",
                        "VAT id \(mapping.vismaVatCode) (vatCodes.\(code).vismaVatCode) does not exist in Visma.",
                        fix: "create it in VAT (TX205000), or map an existing VAT id in flexyvisma.json."))
            }
            guard let category = categories[mapping.vismaVatCategory] else {
                problems.append(
                    .fail(
                        "vat",
                        "VAT category \(mapping.vismaVatCategory) (vatCodes.\(code).vismaVatCategory) does not exist in Visma.",
                        fix: "create it in VAT categories (TX205500), or map an existing one in flexyvisma.json."))
                continue
            }
            if category.active == false {
                problems.append(
                    .fail(
                        "vat",
                        "VAT category \(mapping.vismaVatCategory) (vatCodes.\(code).vismaVatCategory) is inactive.",
                        fix: "tick Active for it in VAT categories (TX205500), or map an active one in flexyvisma.json."
                    ))
            }
        }
        return problems.isEmpty
            ? [
                .pass(
                    "vat",
                    "The VAT ids and VAT categories of the \(configuration.vatCodes.count) mapped VAT codes exist and are active."
                )
            ]
            : problems
    }

    func paymentMethods() -> [DoctorCheck] {
        let methods = Dictionary(
            facts.paymentMethods.map { ($0.paymentMethodID ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [DoctorCheck] = []
        for (type, mapping) in configuration.paymentTypes.sorted(by: { $0.key < $1.key }) {
            let path = "paymentTypes.\(type).vismaPaymentMethod"
            guard let method = methods[mapping.vismaPaymentMethod] else {
                problems.append(
                    .fail(
                        "paymentMethods",
                        "Payment method \(mapping.vismaPaymentMethod) (\(path)) does not exist in Visma.",
                        fix: "create it in Payment methods (CA204000), or map an existing one in flexyvisma.json."))
                continue
            }
            if method.active == false {
                problems.append(
                    .fail(
                        "paymentMethods", "Payment method \(mapping.vismaPaymentMethod) (\(path)) is inactive.",
                        fix:
                            "tick Active for it in Payment methods (CA204000), or map an active one in flexyvisma.json."
                    ))
            }
        }
        return problems.isEmpty
            ? [
                .pass(
                    "paymentMethods",
                    "The \(Set(configuration.paymentTypes.values.map(\.vismaPaymentMethod)).count) mapped payment methods exist and are active."
                )
            ]
            : problems
    }

    /// Enabled departments, sorted by name.
    var enabledDepartments: [(name: String, department: PipelineConfiguration.Department)] {
        configuration.departments.filter(\.value.enabled).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    func branches() -> [DoctorCheck] {
        let branches = Dictionary(facts.branches.map { ($0.number ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [DoctorCheck] = []
        for (name, department) in enabledDepartments {
            guard let number = department.branch else { continue }
            guard let branch = branches[number] else {
                problems.append(
                    .fail(
                        "branches", "Branch \(number) (departments.\(name).branch) does not exist in Visma.",
                        fix: "create it in Branches (CS101500), or set an existing branch in flexyvisma.json."))
                continue
            }
            if branch.isActive == false {
                problems.append(
                    .fail(
                        "branches", "Branch \(number) (departments.\(name).branch) is inactive.",
                        fix:
                            "activate it in Branches (CS101500), or set departments.\(name).enabled to false until it is."
                    ))
            }
        }
        return problems.isEmpty
            ? [.pass("branches", "The branches of the enabled departments exist and are active.")] : problems
    }

    func warehouses() -> [DoctorCheck] {
        let warehouses = Dictionary(
            facts.warehouses.map { ($0.warehouseID ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [DoctorCheck] = []
        for (name, department) in enabledDepartments {
            guard let id = department.warehouse else { continue }
            guard let warehouse = warehouses[id] else {
                problems.append(
                    .fail(
                        "warehouses", "Warehouse \(id) (departments.\(name).warehouse) does not exist in Visma.",
                        fix: "create it in Warehouses (IN204000), or set an existing warehouse in flexyvisma.json."))
                continue
            }
            if warehouse.active == false {
                problems.append(
                    .fail(
                        "warehouses", "Warehouse \(id) (departments.\(name).warehouse) is inactive.",
                        fix:
                            "tick Active for it in Warehouses (IN204000), or set an active warehouse in flexyvisma.json."
                    ))
            }
        }
        return problems.isEmpty
            ? [.pass("warehouses", "The warehouses of the enabled departments exist and are active.")] : problems
    }
}

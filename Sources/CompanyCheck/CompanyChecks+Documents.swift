import FlexyVismaCore
import VismaAPI

/// The checks that depend on the waiting batches: periods, suppliers, units; and the company-wide lists.
extension CompanyChecks {
    /// The period a day falls in: the one whose start and end dates hold it, else the one named `YYYYMM`.
    func period(of day: String) -> FinancialPeriodDto? {
        facts.periods.first { period in
            guard let start = period.startDate?.prefix(10), let end = period.endDate?.prefix(10) else { return false }
            return start <= day && day <= end
        } ?? facts.periods.first { $0.period == String(day.prefix(4) + day.dropFirst(5).prefix(2)) }
    }

    func periods() -> [DoctorCheck] {
        var problems: [DoctorCheck] = []
        let ledgers: [(days: Set<String>, what: String, ledger: String, closed: (FinancialPeriodDto) -> Bool?)] = [
            (work.receiptDays, "receipts of", "general ledger", \.closedInGeneralLedger),
            (work.paymentDays, "customer payments of", "customer ledger", \.closedInCustomerLedger),
        ]
        for (days, what, ledger, closed) in ledgers {
            for day in days.sorted() {
                guard let period = period(of: day) else {
                    problems.append(
                        .fail(
                            "periods", "No financial period holds \(day) (\(what) \(day) wait to be sent).",
                            fix: "create the financial year in Financial periods (GL201000)."))
                    continue
                }
                let name = period.period ?? day
                if period.active == false {
                    problems.append(
                        .fail(
                            "periods",
                            "Financial period \(name) is not active; \(what) \(day) wait to be posted in it.",
                            fix: "activate period \(name) in Financial periods (GL201000)."))
                } else if closed(period) == true {
                    problems.append(
                        .fail(
                            "periods",
                            "Financial period \(name) is closed in the \(ledger); \(what) \(day) wait to be posted in it.",
                            fix:
                                "reopen period \(name) in the \(ledger) (Financial periods, GL201000), or discard the batch if it must not be posted."
                        ))
                }
            }
        }
        let (receipts, payments) = (work.receiptDays.count, work.paymentDays.count)
        return problems.isEmpty
            ? [
                .pass(
                    "periods",
                    receipts + payments == 0
                        ? "No waiting receipts or payments need an open period."
                        : "The financial periods are open for the waiting receipts of \(receipts) day\(receipts == 1 ? "" : "s") (general ledger) "
                            + "and payments of \(payments) day\(payments == 1 ? "" : "s") (customer ledger).")
            ]
            : problems
    }

    /// Numbering is read to be shown; whether imports may bring their own numbers is not in the API (a manual check).
    func numbering() -> [DoctorCheck] {
        let manual = facts.numbering.filter { $0.manualNumbering == true }.compactMap(\.numberingId).sorted()
        return [
            .pass(
                "numbering",
                "\(facts.numbering.count) numbering series read"
                    + (manual.isEmpty
                        ? "; none is manual-only."
                        : "; manual numbering (every document needs its number): \(manual.joined(separator: ", "))."))
        ]
    }

    func itemClasses() -> [DoctorCheck] {
        let classes = Dictionary(facts.itemClasses.map { ($0.id ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [DoctorCheck] = []
        let expected = [
            (configuration.itemClasses.stock, "itemClasses.stock", true),
            (configuration.itemClasses.nonStock, "itemClasses.nonStock", false),
        ]
        for (id, path, stock) in expected {
            guard let itemClass = classes[id] else {
                problems.append(
                    .fail(
                        "itemClasses", "Item class \(id) (\(path)) does not exist in Visma.",
                        fix: "create it in Item classes, or map an existing class in flexyvisma.json."))
                continue
            }
            let type = itemClass.type ?? "unknown"
            if Self.stockTypes.contains(type) != stock {
                problems.append(
                    .fail(
                        "itemClasses",
                        "Item class \(id) (\(path)) has type \(type), a \(stock ? "non-stock" : "stock") type; \(path) needs a \(stock ? "stock" : "non-stock") class.",
                        fix:
                            "map a \(stock ? "stock (e.g. FinishedGoodItem)" : "non-stock (NonStockItem)") class in flexyvisma.json."
                    ))
            }
        }
        return problems.isEmpty
            ? [
                .pass(
                    "itemClasses",
                    "Item classes \(configuration.itemClasses.stock) (stock) and \(configuration.itemClasses.nonStock) (non-stock) exist with the right types."
                )
            ] : problems
    }

    func customerClass() -> [DoctorCheck] {
        let id = configuration.customers.defaultCustomerClass
        guard facts.customerClasses.contains(where: { $0.id == id }) else {
            return [
                .fail(
                    "customerClass", "Customer class \(id) (customers.defaultCustomerClass) does not exist in Visma.",
                    fix: "create it in Customer classes (AR201000), or set an existing class in flexyvisma.json.")
            ]
        }
        return [.pass("customerClass", "Customer class \(id) exists.")]
    }

    func suppliers() -> [DoctorCheck] {
        var problems: [DoctorCheck] = []
        for name in work.supplierNames.sorted() {
            let found = (facts.suppliersByName[name] ?? []).filter { $0.name == name }
            if found.isEmpty {
                problems.append(
                    .fail(
                        "suppliers", "No supplier named '\(name)' in Visma; waiting purchase orders are for it.",
                        fix:
                            "create the supplier in Suppliers (AP303000) with exactly this name, or correct the name in FlexyBox."
                    ))
            } else if !found.contains(where: { $0.status == "Active" }) {
                problems.append(
                    .fail(
                        "suppliers",
                        "Supplier '\(name)' (\(found.compactMap(\.number).joined(separator: ", "))) is \(found.first?.status ?? "not active"); waiting purchase orders are for it.",
                        fix: "set its status to Active in Suppliers (AP303000)."))
            }
        }
        return problems.isEmpty
            ? [
                .pass(
                    "suppliers",
                    work.supplierNames.isEmpty
                        ? "No waiting purchase orders name a supplier."
                        : "The \(work.supplierNames.count) suppliers of the waiting purchase orders exist and are active."
                )
            ]
            : problems
    }

    func units() -> [DoctorCheck] {
        let known = Set(facts.units.flatMap { [$0.fromUnit, $0.toUnit] }.compactMap { $0 })
        let missing = work.units.subtracting(known).sorted()
        guard missing.isEmpty else {
            return missing.map { unit in
                .fail(
                    "units", "Unit \(unit) is used by the waiting batches but does not exist in Visma.",
                    fix: "create it in Units of measure (CS203100), or correct the unit in FlexyBox.")
            }
        }
        return [
            .pass(
                "units",
                work.units.isEmpty
                    ? "No waiting batch names a unit." : "The \(work.units.count) units the waiting batches use exist.")
        ]
    }
}

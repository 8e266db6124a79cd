import DropFormats
import FlexyVismaCore
import Foundation
import VismaAPI
import VoucherReport
import XMLSupport

/// Turns the drop files of a validated batch into Visma write DTOs (docs/ARCHITECTURE.md, "The stages").
struct PayloadBuilder {
    let configuration: PipelineConfiguration
    let reference: ReferenceSnapshot

    struct Result {
        var records: [PayloadRecord] = []
        var counts: [String: Int] = [:]
        var controlTotals = ControlTotals()
        /// One per receipts journal (a day's or a receipt's), in file order, without batch id and receipts hash.
        var vouchers: [DayVoucher] = []
    }

    func build(folder: URL, files: [FileRecord]) throws -> Result {
        func urls(_ type: DropFileType) -> [URL] {
            files.filter { $0.fileType == type.rawValue }.map { folder.appendingPathComponent($0.path) }
        }
        var draft = Draft()
        let calculations = try urls(.calculations).flatMap(readCalculations)
        let kitProducts = Set(calculations.map(\.product)).union(reference.items.filter(\.kitItem).map(\.number))
        for url in urls(.items) { try addItems(url, kitProducts: kitProducts, to: &draft) }
        try addKitSpecifications(calculations, to: &draft)
        for url in urls(.customers) { try addCustomers(url, to: &draft) }
        for url in urls(.payments) { try addPayments(url, to: &draft) }
        if draft.paymentTotals.count > 0 {
            draft.result.controlTotals.payments = PaymentTotals(
                count: draft.paymentTotals.count, deposits: FixedPoint.money(ore: draft.paymentTotals.deposits).text,
                withdrawals: FixedPoint.money(ore: draft.paymentTotals.withdrawals).text)
        }
        // Purchase orders: the supplier by name, as FlexyBox knows it.
        for url in urls(.purchaseOrders) { draft.records += try readPurchaseOrders(url, units: draft.units) }
        // Receipts: one balanced journal per business day and department (or per receipt).
        for url in urls(.receipts) {
            guard let journal = try JournalBuilder(configuration: configuration, reference: reference).build(url) else {
                continue
            }
            draft.result.controlTotals.receiptDays.append(journal.totals)
            draft.result.vouchers += journal.vouchers
            draft.records += journal.records.map(Self.numberedByVisma(journal:))
        }

        var result = draft.result
        for (index, record) in draft.records.enumerated() {
            var record = record
            record.sequence = index + 1
            result.records.append(record)
            result.counts[record.kind + (record.method == "PUT" ? ".update" : ".create"), default: 0] += 1
        }
        result.records.sort { ($0.group, $0.sequence) < ($1.group, $1.sequence) }
        for (index, _) in result.records.enumerated() { result.records[index].sequence = index + 1 }
        return result
    }

    /// What the files of a batch have become so far, in file order.
    private struct Draft {
        var records: [PayloadRecord] = []
        var result = Result()
        /// Each item's unit, for purchase order lines that name none.
        var units: [String: String] = [:]
        var paymentTotals = (count: 0, deposits: Int64(0), withdrawals: Int64(0))
    }

    /// Items: raw materials, products without calculation, products with calculation; unchanged ones are skipped.
    private func addItems(_ url: URL, kitProducts: Set<String>, to draft: inout Draft) throws {
        let vismaItems = Dictionary(reference.items.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        try readCSV(url) { row in
            let number = row["item_number"] ?? ""
            let kind = row["kind"] ?? ""
            let kit = kind == "product" && kitProducts.contains(number)
            let group: PayloadGroup = kind == "raw_material" ? .rawMaterials : (kit ? .kitProducts : .stockProducts)
            let classId =
                row["visma_item_class"] ?? (kit ? configuration.itemClasses.nonStock : configuration.itemClasses.stock)
            let type =
                reference.itemClasses.first { $0.id == classId }?.type ?? (kit ? "NonStockItem" : "FinishedGoodItem")
            let unit = row["unit"] ?? "STK"
            draft.units[number] = unit
            let price = row.amount("sales_price").map { Double($0.units) / 100 }
            let vatCategory = row["vat_code"].flatMap { configuration.vatCodes[$0]?.vismaVatCategory }
            let status = row["active"] == "false" ? "Inactive" : "Active"
            var body = InventoryUpdateDto(
                description: .init(row["name"] ?? number), itemClass: .init(classId), type: .init(type),
                status: .init(status),
                baseUnit: .init(unit), salesUnit: .init(unit), purchaseUnit: .init(unit), kitItem: .init(kit),
                vatCode: vatCategory.map(DtoValue.init), defaultPrice: price.map(DtoValue.init))
            let origin = "\(url.lastPathComponent):\(row.line)"
            let lookup = "/v1/inventory/\(PercentEncoding.encode(number))"
            if let existing = vismaItems[number] {
                let unchanged =
                    existing.description == (row["name"] ?? number) && existing.baseUnit == unit
                    && existing.vatCategory == vatCategory && existing.status == status && existing.kitItem == kit
                    && (price == nil || existing.defaultPrice == price)
                if unchanged {
                    draft.result.counts["inventory.unchanged", default: 0] += 1
                    return
                }
                draft.records.append(
                    try PayloadRecord(
                        sequence: 0, group: group, key: number, method: "PUT", path: lookup, lookup: lookup, body: body,
                        release: nil, origin: origin))
            } else {
                body.inventoryNumber = .init(number)
                draft.records.append(
                    try PayloadRecord(
                        sequence: 0, group: group, key: number, method: "POST", path: "/v1/inventory", lookup: lookup,
                        body: body, release: nil,
                        origin: origin))
            }
        }
    }

    /// Kit specifications: a new revision only when the components changed.
    private func addKitSpecifications(_ calculations: [Calculation], to draft: inout Draft) throws {
        let kitsInVisma = Dictionary(grouping: reference.kits ?? [], by: \.item)
        let places = configuration.pipeline.effectiveQuantityDecimalPlaces
        for calculation in calculations {
            let signature = calculation.components.map {
                "\($0.item):\(KitQuantity.stored($0.quantityE4, places: places))"
            }
            let existing = kitsInVisma[calculation.product] ?? []
            let latest = existing.max { (Int($0.revision) ?? 0) < (Int($1.revision) ?? 0) }
            if let latest, KitQuantity.storedSignature(latest.components, places: places) == signature {
                draft.result.counts["kitSpecification.unchanged", default: 0] += 1
                continue
            }
            let revision = max(calculation.revision, (latest.flatMap { Int($0.revision) } ?? 0) + 1)
            let lines = calculation.components.enumerated().map { index, component in
                KitComponentUpdateDto(
                    operation: .insert, lineNbr: .init(index + 1), compInventoryID: .init(component.item),
                    dfltCompQty: .init(Double(KitQuantity.stored(component.quantityE4, places: places)) / 10_000),
                    uom: .init(component.unit))
            }
            let body = KitSpecificationUpdateDto(
                kitInventoryID: .init(calculation.product), revisionID: .init(String(revision)),
                descr: .init("Kalkulation \(revision)"),
                isActive: .init(true), isNonStock: .init(true), stockComponentLines: lines, nonStockComponentLines: [])
            draft.records.append(
                try PayloadRecord(
                    sequence: 0, group: .kitSpecifications, key: "\(calculation.product)/\(revision)", method: "POST",
                    path: "/v1/KitSpecifications",
                    lookup: "/v1/KitSpecifications/\(PercentEncoding.encode(calculation.product))/\(revision)",
                    body: body, release: nil,
                    origin: calculation.origin))
        }
    }

    /// Customers: created when Visma does not have them; else only the FlexyBox fields that differ from Visma's are
    /// sent, never `status` or class values, so what the bookkeeper set in Visma survives; unchanged ones are skipped.
    private func addCustomers(_ url: URL, to draft: inout Draft) throws {
        let vismaCustomers = Dictionary(
            reference.customers.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        try readCSV(url) { row in
            let number = row["customer_number"] ?? ""
            let origin = "\(url.lastPathComponent):\(row.line)"
            if let vismaNumber = reference.vismaCustomer(number) {
                // A customer Visma has is addressed by Visma's number, as the snapshot names it.
                let existing = vismaCustomers[vismaNumber] ?? ReferenceSnapshot.Customer(number: vismaNumber)
                guard let body = Self.customerChanges(row, existing: existing) else {
                    draft.result.counts["customer.unchanged", default: 0] += 1
                    return
                }
                let path = "/v1/customer/\(PercentEncoding.encode(vismaNumber))"
                draft.records.append(
                    try PayloadRecord(
                        sequence: 0, group: .customers, key: number, method: "PUT", path: path, lookup: path,
                        body: body, release: nil, origin: origin))
                return
            }
            let address = AddressUpdateDto(
                addressLine1: row["address_line1"].map(DtoValue.init),
                addressLine2: row["address_line2"].map(DtoValue.init),
                postalCode: row["postal_code"].map(DtoValue.init), city: row["city"].map(DtoValue.init),
                countryId: .init(row["country"] ?? "DK"))
            let contact = ContactInfoUpdateDto(
                name: .init(row["name"] ?? number), email: row["email"].map(DtoValue.init),
                phone1: row["phone"].map(DtoValue.init))
            let name = row["name"] ?? number
            let body = CustomerUpdateDto(
                number: .init(number), name: .init(name), status: .init("Active"), overrideWithClassValues: true,
                customerClassId: .init(row["customer_class"] ?? configuration.customers.defaultCustomerClass),
                corporateId: row["vat_number"].map(DtoValue.init), mainAddress: .init(address),
                mainContact: .init(contact),
                overrideNumberSeries: .init(true), accountReference: .init(number))
            var record = try PayloadRecord(
                sequence: 0, group: .customers, key: number, method: "POST", path: "/v1/customer",
                lookup: "/v1/customer/\(PayloadRecord.numberPlaceholder)", body: body, release: nil, origin: origin)
            // Our number is kept in "Account ref."; the list filters by the name, which narrows it.
            record.search = .init(
                list: "/v1/customer?name=\(PercentEncoding.encode(name))", keyField: "accountReference",
                numberField: "number", keyText: number)
            draft.records.append(record)
        }
    }

    /// The PUT body for a customer Visma has: each FlexyBox field that has a value and differs from Visma's, nil when none.
    ///
    /// A field FlexyBox leaves empty is not cleared in Visma, and the class is compared only when FlexyBox names one
    /// (the configured default class is for new customers); a changed class keeps the customer's own settings
    /// (`overrideWithClassValues: false`).
    static func customerChanges(_ row: Row, existing: ReferenceSnapshot.Customer) -> CustomerUpdateDto? {
        func changed(_ column: String, _ held: String?) -> DtoValue<String>? {
            guard let value = row[column], value != held else { return nil }
            return DtoValue(value)
        }
        let name = changed("name", existing.name)
        let address = AddressUpdateDto(
            addressLine1: changed("address_line1", existing.addressLine1),
            addressLine2: changed("address_line2", existing.addressLine2),
            postalCode: changed("postal_code", existing.postalCode), city: changed("city", existing.city),
            countryId: changed("country", existing.country))
        let contact = ContactInfoUpdateDto(
            name: name, email: changed("email", existing.email), phone1: changed("phone", existing.phone))
        let customerClass = changed("customer_class", existing.customerClass)
        let body = CustomerUpdateDto(
            name: name, overrideWithClassValues: customerClass == nil ? nil : false, customerClassId: customerClass,
            corporateId: changed("vat_number", existing.corporateId),
            mainAddress: address == AddressUpdateDto() ? nil : DtoValue(address),
            mainContact: contact == ContactInfoUpdateDto() ? nil : DtoValue(contact))
        return body == CustomerUpdateDto() ? nil : body
    }

    /// Customer payments: deposits are Prepayments, withdrawals Refunds (Visma amounts are positive); which open
    /// deposits a refund is applied to is decided at upload, from what Visma holds then (`RefundApplication`).
    private func addPayments(_ url: URL, to draft: inout Draft) throws {
        try readCSV(url) { row in
            let id = row["payment_id"] ?? ""
            let amount = row.amount("amount")?.units ?? 0
            draft.paymentTotals.count += 1
            if amount >= 0 { draft.paymentTotals.deposits += amount } else { draft.paymentTotals.withdrawals += amount }
            let type = row["payment_type"] ?? ""
            let method =
                configuration.paymentTypes[type]?.vismaPaymentMethod
                ?? reference.paymentMethods.first { $0.description == type && $0.active }?.id ?? type
            let branch = row["department"].flatMap { configuration.departments[$0] }.flatMap {
                $0.enabled ? $0.branch : nil
            }
            let body = PaymentUpdateDto(
                type: .init(amount < 0 ? PaymentKind.withdrawal : PaymentKind.deposit), referenceNumber: .init(id),
                overrideNumberSeries: .init(true),
                customer: .init(row["customer_number"] ?? ""), paymentMethod: .init(method),
                applicationDate: .init("\(row["date"] ?? "")T00:00:00"), paymentRef: .init(id),
                paymentAmount: .init(Double(abs(amount)) / 100), currency: .init(row["currency"] ?? "DKK"),
                hold: .init(false),
                invoiceText: row["reference"].map { .init(String($0.prefix(50))) }, branch: branch.map(DtoValue.init))
            let lookup = "/v1/customerPayment/\(PayloadRecord.numberPlaceholder)"
            var record = try PayloadRecord(
                sequence: 0, group: .customerPayments, key: id, method: "POST", path: "/v1/customerPayment",
                lookup: lookup, body: body,
                release: configuration.pipeline.releaseDocuments ? "\(lookup)/action/release" : nil,
                origin: "\(url.lastPathComponent):\(row.line)")
            // The customer as Visma numbered it, resolved at send time; our payment id stays in `paymentRef`.
            record.references = [
                .init(field: "customer", kind: PayloadGroup.customers.kind, key: row["customer_number"] ?? "")
            ]
            record.search = .init(
                list: "/v1/customerPayment?customer={customer}", keyField: "paymentRef", numberField: "refNbr",
                keyText: id)
            draft.records.append(record)
        }
    }

    /// A journal addressed by the number Visma gives it, and found again by the `referenceNumber` of its lines.
    static func numberedByVisma(journal record: PayloadRecord) -> PayloadRecord {
        var record = record
        let address = "/v2/journaltransaction/\(PayloadRecord.numberPlaceholder)"
        record.lookup = address
        record.release = record.release.map { _ in "\(address)/action/release" }
        let period = record.body["financialPeriod"]?["value"]?.stringValue ?? ""
        record.search = .init(
            list: "/v2/journaltransaction?periodId=\(PercentEncoding.encode(period))",
            keyField: "journalTransactionLines.referenceNumber",
            numberField: "batchNumber", keyText: record.key)
        return record
    }

    // MARK: Reading the drop files

    struct Calculation {
        var product: String
        var revision: Int
        var components: [(item: String, quantityE4: Int64, unit: String)]
        var origin: String
    }

    private func readCalculations(_ url: URL) throws -> [Calculation] {
        let reader = try XMLStreamReader(path: url.path)
        var calculations: [Calculation] = []
        while let event = reader.next() {
            guard case .start(let element) = event else { continue }
            if element.name == "calculation" {
                calculations.append(
                    Calculation(
                        product: element["item"] ?? "", revision: Int(element["revision"] ?? "1") ?? 1, components: [],
                        origin: "\(url.lastPathComponent):\(element.line)"))
            } else if element.name == "component", !calculations.isEmpty {
                let quantity = FixedPoint(parsing: element["quantity"] ?? "", scale: 4)?.units ?? 0
                calculations[calculations.count - 1].components.append(
                    (element["item"] ?? "", quantity, element["unit"] ?? ""))
            }
        }
        return calculations
    }

    private func readPurchaseOrders(_ url: URL, units: [String: String]) throws -> [PayloadRecord] {
        let reader = try XMLStreamReader(path: url.path)
        var records: [PayloadRecord] = []
        var header = PurchaseOrderUpdateDto()
        var lines: [PurchaseOrderLineUpdateDto] = []
        var number = ""
        var origin = ""
        var warehouse: String?
        func finish() throws {
            guard !number.isEmpty else { return }
            header.lines = lines
            var record = try PayloadRecord(
                sequence: 0, group: .purchaseOrders, key: number, method: "POST", path: "/v1/purchaseorder",
                lookup: "/v1/purchaseorder/\(PayloadRecord.numberPlaceholder)", body: header, release: nil,
                origin: origin)
            // Our number is kept in the description (`FlexyBox <number>`); `supplierRef` stays free for the supplier's own.
            record.search = .init(
                list: "/v1/purchaseorder?supplier=\(PercentEncoding.encode(header.supplier?.value ?? ""))",
                keyField: "description",
                numberField: "orderNbr", keyText: header.description?.value ?? "")
            records.append(record)
            number = ""
        }
        while let event = reader.next() {
            switch event {
            case .start(let element) where element.name == "purchaseOrder":
                number = element["number"] ?? ""
                origin = "\(url.lastPathComponent):\(element.line)"
                let supplierName = element["supplier"] ?? ""
                let supplier =
                    reference.suppliers.first { $0.name == supplierName && $0.active }?.number ?? supplierName
                let department = element["department"].flatMap { configuration.departments[$0] }.flatMap {
                    $0.enabled ? $0 : nil
                }
                let branch = department?.branch
                warehouse = department?.warehouse
                header = PurchaseOrderUpdateDto(
                    orderType: .init("RegularOrder"), orderNumber: .init(number), overrideNumberSeries: .init(true),
                    date: .init("\(element["date"] ?? "")T00:00:00"), supplier: .init(supplier), hold: .init(false),
                    description: .init("FlexyBox \(number)"), branch: branch.map(DtoValue.init))
                lines = []
            case .start(let element) where element.name == "line":
                let item = element["item"] ?? ""
                lines.append(
                    PurchaseOrderLineUpdateDto(
                        operation: .insert, lineNumber: .init(lines.count + 1), inventory: .init(item),
                        lineType: .init("GoodsForInventory"),
                        warehouse: warehouse.map(DtoValue.init), uom: .init(element["unit"] ?? units[item] ?? "STK"),
                        orderQty: .init(
                            Double(FixedPoint(parsing: element["quantity"] ?? "", scale: 4)?.units ?? 0) / 10_000),
                        unitCost: .init(
                            Double(FixedPoint(parsing: element["unitCost"] ?? "", scale: 2)?.units ?? 0) / 100)))
            case .end(let name) where name == "purchaseOrder":
                try finish()
            default:
                break
            }
        }
        return records
    }

    /// A CSV row by column name.
    struct Row {
        let line: Int
        let values: [String: String]
        let decimalComma: Bool

        subscript(column: String) -> String? {
            guard let value = values[column], !value.isEmpty else { return nil }
            return value
        }

        func amount(_ column: String) -> FixedPoint? {
            self[column].flatMap { FixedPoint(parsing: $0, scale: 2, decimalComma: decimalComma) }
        }
    }

    private func readCSV(_ url: URL, _ body: (Row) throws -> Void) throws {
        let reader = try CSVReader(url: url)
        guard let header = try reader.next()?.fields else { return }
        while let row = try reader.next() {
            try body(
                Row(
                    line: row.line,
                    values: Dictionary(zip(header, row.fields), uniquingKeysWith: { first, _ in first }),
                    decimalComma: reader.dialect.decimalComma))
        }
    }
}

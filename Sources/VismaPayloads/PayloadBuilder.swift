import DropFormats
import FlexyVismaCore
import Foundation
import XMLSupport

/// Turns the drop files of a validated batch into Visma write DTOs (DESIGN §7).
struct PayloadBuilder {
    let configuration: PipelineConfiguration
    let reference: ReferenceSnapshot

    struct Result {
        var records: [PayloadRecord] = []
        var counts: [String: Int] = [:]
        var controlTotals = ControlTotals()
    }

    func build(folder: URL, files: [FileRecord]) throws -> Result {
        var result = Result()
        func urls(_ type: DropFileType) -> [URL] {
            files.filter { $0.fileType == type.rawValue }.map { folder.appendingPathComponent($0.path) }
        }
        var draft: [PayloadRecord] = []

        let calculations = try urls(.calculations).flatMap(readCalculations)
        let batchKits = Set(calculations.map(\.product))
        let vismaItems = Dictionary(reference.items.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        let kitProducts = batchKits.union(reference.items.filter(\.kitItem).map(\.number))

        // Items: raw materials, products without calculation, products with calculation.
        var units: [String: String] = [:]
        for url in urls(.items) {
            try readCSV(url) { row in
                let number = row["item_number"] ?? ""
                let kind = row["kind"] ?? ""
                let kit = kind == "product" && kitProducts.contains(number)
                let group: PayloadGroup = kind == "raw_material" ? .rawMaterials : (kit ? .kitProducts : .stockProducts)
                let classId = row["visma_item_class"] ?? (kit ? configuration.itemClasses.nonStock : configuration.itemClasses.stock)
                let type = reference.itemClasses.first { $0.id == classId }?.type ?? (kit ? "NonStockItem" : "FinishedGoodItem")
                let unit = row["unit"] ?? "STK"
                units[number] = unit
                let price = row.amount("sales_price").map { Double($0.units) / 100 }
                let vatCategory = row["vat_code"].flatMap { configuration.vatCodes[$0]?.vismaVatCategory }
                let status = row["active"] == "false" ? "Inactive" : "Active"
                var body: [String: JSONValue] = [
                    "description": .wrapped(.string(row["name"] ?? number)), "itemClass": .wrapped(.string(classId)),
                    "type": .wrapped(.string(type)), "status": .wrapped(.string(status)),
                    "baseUnit": .wrapped(.string(unit)), "salesUnit": .wrapped(.string(unit)), "purchaseUnit": .wrapped(.string(unit)),
                    "kitItem": .wrapped(.bool(kit)),
                ]
                if let vatCategory { body["vatCode"] = .wrapped(.string(vatCategory)) }
                if let price { body["defaultPrice"] = .wrapped(.number(price)) }
                let origin = "\(url.lastPathComponent):\(row.line)"
                if let existing = vismaItems[number] {
                    let unchanged = existing.description == (row["name"] ?? number) && existing.baseUnit == unit
                        && existing.vatCategory == vatCategory && existing.status == status && existing.kitItem == kit
                        && (price == nil || existing.defaultPrice == price)
                    if unchanged {
                        result.counts["inventory.unchanged", default: 0] += 1
                        return
                    }
                    draft.append(PayloadRecord(
                        sequence: 0, group: group, key: number, method: "PUT", path: "/v1/inventory/\(Self.escape(number))",
                        lookup: "/v1/inventory/\(Self.escape(number))", body: .object(body), release: nil, origin: origin))
                } else {
                    body["inventoryNumber"] = .wrapped(.string(number))
                    draft.append(PayloadRecord(
                        sequence: 0, group: group, key: number, method: "POST", path: "/v1/inventory",
                        lookup: "/v1/inventory/\(Self.escape(number))", body: .object(body), release: nil, origin: origin))
                }
            }
        }

        // Kit specifications: a new revision only when the components changed.
        let kitsInVisma = Dictionary(grouping: reference.kits ?? [], by: \.item)
        for calculation in calculations {
            let signature = calculation.components.map { "\($0.item):\($0.quantityE4)" }
            let existing = kitsInVisma[calculation.product] ?? []
            let latest = existing.max { (Int($0.revision) ?? 0) < (Int($1.revision) ?? 0) }
            if let latest, latest.components == signature {
                result.counts["kitSpecification.unchanged", default: 0] += 1
                continue
            }
            let revision = max(calculation.revision, (latest.flatMap { Int($0.revision) } ?? 0) + 1)
            let lines: [JSONValue] = calculation.components.enumerated().map { index, component in
                [
                    "operation": "Insert", "lineNbr": .wrapped(.number(Double(index + 1))),
                    "compInventoryID": .wrapped(.string(component.item)),
                    "dfltCompQty": .wrapped(.number(Double(component.quantityE4) / 10_000)),
                    "uom": .wrapped(.string(component.unit)),
                ]
            }
            let body: JSONValue = [
                "kitInventoryID": .wrapped(.string(calculation.product)), "revisionID": .wrapped(.string(String(revision))),
                "descr": .wrapped(.string("Kalkulation \(revision)")), "isActive": .wrapped(true), "isNonStock": .wrapped(true),
                "stockComponentLines": .array(lines), "nonStockComponentLines": [],
            ]
            let key = "\(calculation.product)/\(revision)"
            draft.append(PayloadRecord(
                sequence: 0, group: .kitSpecifications, key: key, method: "POST", path: "/v1/KitSpecifications",
                lookup: "/v1/KitSpecifications/\(Self.escape(calculation.product))/\(revision)", body: body, release: nil,
                origin: calculation.origin))
        }

        // Customers.
        let vismaCustomers = Set(reference.customers)
        for url in urls(.customers) {
            try readCSV(url) { row in
                let number = row["customer_number"] ?? ""
                var address: [String: JSONValue] = ["countryId": .wrapped(.string(row["country"] ?? "DK"))]
                for (column, field) in [("address_line1", "addressLine1"), ("address_line2", "addressLine2"), ("postal_code", "postalCode"), ("city", "city")] {
                    if let value = row[column] { address[field] = .wrapped(.string(value)) }
                }
                var contact: [String: JSONValue] = ["name": .wrapped(.string(row["name"] ?? number))]
                if let email = row["email"] { contact["email"] = .wrapped(.string(email)) }
                if let phone = row["phone"] { contact["phone1"] = .wrapped(.string(phone)) }
                var body: [String: JSONValue] = [
                    "name": .wrapped(.string(row["name"] ?? number)), "status": .wrapped("Active"), "overrideWithClassValues": true,
                    "customerClassId": .wrapped(.string(row["customer_class"] ?? configuration.customers.defaultCustomerClass)),
                    "mainAddress": .wrapped(.object(address)), "mainContact": .wrapped(.object(contact)),
                ]
                if let cvr = row["vat_number"] { body["corporateId"] = .wrapped(.string(cvr)) }
                let exists = vismaCustomers.contains(number)
                if !exists { body["number"] = .wrapped(.string(number)) }
                draft.append(PayloadRecord(
                    sequence: 0, group: .customers, key: number, method: exists ? "PUT" : "POST",
                    path: exists ? "/v1/customer/\(Self.escape(number))" : "/v1/customer", lookup: "/v1/customer/\(Self.escape(number))",
                    body: .object(body), release: nil, origin: "\(url.lastPathComponent):\(row.line)"))
            }
        }

        // Customer payments: deposits are Payments, withdrawals Refunds (Visma amounts are positive).
        var paymentTotals = (count: 0, deposits: Int64(0), withdrawals: Int64(0))
        for url in urls(.payments) {
            try readCSV(url) { row in
                let id = row["payment_id"] ?? ""
                let amount = row.amount("amount")?.units ?? 0
                paymentTotals.count += 1
                if amount >= 0 { paymentTotals.deposits += amount } else { paymentTotals.withdrawals += amount }
                let type = row["payment_type"] ?? ""
                let method = configuration.paymentTypes[type]?.vismaPaymentMethod
                    ?? reference.paymentMethods.first { $0.description == type && $0.active }?.id ?? type
                var body: [String: JSONValue] = [
                    "type": .wrapped(amount < 0 ? "Refund" : "Payment"), "referenceNumber": .wrapped(.string(id)),
                    "overrideNumberSeries": .wrapped(true), "customer": .wrapped(.string(row["customer_number"] ?? "")),
                    "paymentMethod": .wrapped(.string(method)), "applicationDate": .wrapped(.string("\(row["date"] ?? "")T00:00:00")),
                    "paymentRef": .wrapped(.string(id)), "paymentAmount": .wrapped(.number(Double(abs(amount)) / 100)),
                    "currency": .wrapped(.string(row["currency"] ?? "DKK")), "hold": .wrapped(false),
                ]
                if let text = row["reference"] { body["invoiceText"] = .wrapped(.string(String(text.prefix(50)))) }
                if let department = row["department"], let settings = configuration.departments[department], settings.enabled,
                    let branch = settings.branch
                {
                    body["branch"] = .wrapped(.string(branch))
                }
                draft.append(PayloadRecord(
                    sequence: 0, group: .customerPayments, key: id, method: "POST", path: "/v1/customerPayment",
                    lookup: "/v1/customerPayment/\(Self.escape(id))", body: .object(body),
                    release: configuration.pipeline.releaseDocuments ? "/v1/customerPayment/\(Self.escape(id))/action/release" : nil,
                    origin: "\(url.lastPathComponent):\(row.line)"))
            }
        }
        if paymentTotals.count > 0 {
            result.controlTotals.payments = PaymentTotals(
                count: paymentTotals.count, deposits: FixedPoint.money(ore: paymentTotals.deposits).text,
                withdrawals: FixedPoint.money(ore: paymentTotals.withdrawals).text)
        }

        // Purchase orders: the supplier by name, as FlexyBox knows it.
        for url in urls(.purchaseOrders) {
            draft += try readPurchaseOrders(url, units: units)
        }

        // Receipts: one balanced journal per business day and department (or per receipt).
        for url in urls(.receipts) {
            let journal = try JournalBuilder(configuration: configuration).build(url)
            guard let journal else { continue }
            result.controlTotals.receiptDays.append(journal.totals)
            draft += journal.records
        }

        for (index, record) in draft.enumerated() {
            var record = record
            record.sequence = index + 1
            result.records.append(record)
            result.counts[record.kind + (record.method == "PUT" ? ".update" : ".create"), default: 0] += 1
        }
        result.records.sort { ($0.group, $0.sequence) < ($1.group, $1.sequence) }
        for (index, _) in result.records.enumerated() { result.records[index].sequence = index + 1 }
        return result
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
                calculations.append(Calculation(
                    product: element["item"] ?? "", revision: Int(element["revision"] ?? "1") ?? 1, components: [],
                    origin: "\(url.lastPathComponent):\(element.line)"))
            } else if element.name == "component", !calculations.isEmpty {
                let quantity = FixedPoint(parsing: element["quantity"] ?? "", scale: 4)?.units ?? 0
                calculations[calculations.count - 1].components.append((element["item"] ?? "", quantity, element["unit"] ?? ""))
            }
        }
        return calculations
    }

    private func readPurchaseOrders(_ url: URL, units: [String: String]) throws -> [PayloadRecord] {
        let reader = try XMLStreamReader(path: url.path)
        var records: [PayloadRecord] = []
        var header: [String: JSONValue] = [:]
        var lines: [JSONValue] = []
        var number = ""
        var origin = ""
        func finish() {
            guard !number.isEmpty else { return }
            header["lines"] = .array(lines)
            records.append(PayloadRecord(
                sequence: 0, group: .purchaseOrders, key: number, method: "POST", path: "/v1/purchaseorder",
                lookup: "/v1/purchaseorder/\(Self.escape(number))", body: .object(header), release: nil, origin: origin))
            number = ""
        }
        while let event = reader.next() {
            switch event {
            case .start(let element) where element.name == "purchaseOrder":
                number = element["number"] ?? ""
                origin = "\(url.lastPathComponent):\(element.line)"
                let supplierName = element["supplier"] ?? ""
                let supplier = reference.suppliers.first { $0.name == supplierName && $0.active }?.number ?? supplierName
                header = [
                    "orderType": .wrapped("RegularOrder"), "orderNumber": .wrapped(.string(number)), "overrideNumberSeries": .wrapped(true),
                    "date": .wrapped(.string("\(element["date"] ?? "")T00:00:00")), "supplier": .wrapped(.string(supplier)),
                    "hold": .wrapped(false), "description": .wrapped(.string("FlexyBox \(number)")),
                ]
                if let department = element["department"], let settings = configuration.departments[department], settings.enabled,
                    let branch = settings.branch
                {
                    header["branch"] = .wrapped(.string(branch))
                }
                lines = []
            case .start(let element) where element.name == "line":
                let item = element["item"] ?? ""
                lines.append([
                    "operation": "Insert", "lineNumber": .wrapped(.number(Double(lines.count + 1))), "inventory": .wrapped(.string(item)),
                    "lineType": .wrapped("GoodsForInventory"), "uom": .wrapped(.string(element["unit"] ?? units[item] ?? "STK")),
                    "orderQty": .wrapped(.number(Double(FixedPoint(parsing: element["quantity"] ?? "", scale: 4)?.units ?? 0) / 10_000)),
                    "unitCost": .wrapped(.number(Double(FixedPoint(parsing: element["unitCost"] ?? "", scale: 2)?.units ?? 0) / 100)),
                ])
            case .end(let name) where name == "purchaseOrder":
                finish()
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
            try body(Row(
                line: row.line, values: Dictionary(zip(header, row.fields), uniquingKeysWith: { first, _ in first }),
                decimalComma: reader.dialect.decimalComma))
        }
    }

    /// Ids in a URL path: percent-encoded.
    static func escape(_ id: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
    }
}

import FlexyVismaCore
import Foundation

/// `/v1/purchaseorder`: the supplier must exist, goods lines need stock items.
extension CompanyState {
    static let purchaseOrderWrapped: Set<String> = [
        "shippingDestinationType", "shipTo", "shippingLocation", "shippingContact", "shippingAddress", "fobPoint",
        "shipVia",
        "shipTerms", "remitContact", "remitAddress", "terms", "supplierVatZone", "dontPrint", "dontEmail", "orderType",
        "orderNumber", "hold", "date", "promisedOn", "description", "supplier", "location", "gln", "vatRegistrationId",
        "owner", "currency", "exchangeRate", "supplierRef", "controlTotal", "branch", "note", "overrideNumberSeries",
        "customStr1", "customStr2", "customStr3", "customStr4", "customStr5", "customDec1", "customDec2", "customInt1",
        "customInt2", "customDateTimeUTC1",
    ]
    static let purchaseOrderLineWrapped: Set<String> = [
        "lineNumber", "branch", "inventory", "lineType", "warehouse", "lineDescription", "uom", "orderQty", "unitCost",
        "extCost", "discountAmount", "discountPercent", "manualDiscount", "discountCode", "amount", "alternateId",
        "minReceipt", "maxReceipt", "completeOn", "receiptAction", "taxCategory", "account", "project", "projectTask",
        "requested", "promised", "note", "customStr1", "customStr2", "customStr3", "customStr4", "customStr5",
        "customDec1", "customDec2", "customInt1", "customInt2", "customDateTimeUTC1",
    ]
    static let orderTypes = ["RegularOrder", "DropShip", "Blanket", "StandardBlanket"]
    static let lineTypes = [
        "GoodsForInventory", "GoodsForSalesOrder", "GoodsForReplenishment", "GoodsForDropShip", "NonStockForDropShip",
        "NonStockForSalesOrder", "NonStock", "Service", "Freight", "Description",
    ]

    func listPurchaseOrders(_ query: [String: String]) throws -> Outcome {
        var orders = all(.purchaseOrder)
        if let supplier = query["supplier"] {
            orders = orders.filter { $0["supplier"]?["number"]?.stringValue == supplier }
        }
        if let status = query["orderStatus"] { orders = orders.filter { $0["status"]?.stringValue == status } }
        return .ok(try paging(query, "purchaseorder").arrayResponse(orders))
    }

    func getPurchaseOrder(_ number: String) throws -> Outcome {
        guard let order = entity(.purchaseOrder, number) else {
            throw VismaError.notFound("Purchase order with orderNbr = \(number) not found.")
        }
        return .ok(order)
    }

    mutating func createPurchaseOrder(_ body: JSONValue) throws -> Outcome {
        let dto = try WriteDTO(
            body, dto: "PurchaseOrderUpdateDto", wrapped: Self.purchaseOrderWrapped,
            bare: ["changeDatesOnLines", "timeStamp"], lines: ["discountDetails", "lines"])
        let orderType = try dto.enumeration("orderType", Self.orderTypes) ?? "RegularOrder"
        let supplierNumber = try dto.requiredString("supplier", "Supplier")
        guard let supplier = supplier(supplierNumber) else {
            throw VismaError.badRequest("Error: Supplier '\(supplierNumber)' does not exist.")
        }
        guard supplier.status == "Active" else {
            throw VismaError.badRequest("Error: Supplier '\(supplierNumber)' is \(supplier.status).")
        }
        let date = try dto.requiredString("date", "Date")
        guard Self.periodOf(date: date) != nil else {
            throw VismaError.notRecognized("PurchaseOrderUpdateDto", "'\(date)' is not a date.")
        }
        var branchObject: JSONValue = .null
        if let branchNumber = try dto.string("branch") {
            guard let branch = branch(branchNumber), branch.active else {
                throw VismaError.badRequest("Error: Branch '\(branchNumber)' does not exist or is inactive.")
            }
            branchObject = ["number": .string(branch.number), "name": .string(branch.name)]
        }
        let lines = try dto.lines(
            "lines", dto: "PurchaseOrderLineUpdateDto", wrapped: Self.purchaseOrderLineWrapped,
            bare: ["operation", "sub"])
        guard !lines.isEmpty else { throw VismaError.badRequest("Error: A purchase order needs at least one line.") }
        var total: Int64 = 0
        var rendered: [JSONValue] = []
        var lineProblems: [String] = []
        for (index, line) in lines.enumerated() {
            let checked = try purchaseOrderLine(line, index: index)
            total += checked.extended
            rendered.append(checked.rendered)
            lineProblems += checked.problems
        }
        try Self.refuse(lineProblems)
        let number = try documentNumber(dto, field: "orderNumber", kind: .purchaseOrder, prefix: "")
        let hold = try dto.bool("hold") ?? false
        insert(
            .purchaseOrder, number,
            JSONValue.object([
                "orderType": .string(orderType), "orderNbr": .string(number), "hold": .bool(hold),
                "status": .string(hold ? "Hold" : "Open"), "date": .string(date),
                "description": .text(try dto.string("description")),
                "supplier": ["number": .string(supplier.number), "name": .string(supplier.name)],
                "branch": branchObject, "currency": .string(try dto.string("currency") ?? "DKK"),
                "lineTotal": amount(total), "orderTotal": amount(total), "lines": .array(rendered),
                "lastModifiedDateTime": .string(Self.now()),
            ]).compacted)
        return .created("/v1/purchaseorder/\(Self.pathSegment(number))")
    }

    /// One order line checked as Visma checks it: its rendering, extended cost, and the unit and warehouse problems.
    private func purchaseOrderLine(
        _ line: WriteDTO, index: Int
    ) throws -> (rendered: JSONValue, extended: Int64, problems: [String]) {
        let lineType = try line.enumeration("lineType", Self.lineTypes) ?? "GoodsForInventory"
        let number = try line.requiredString("inventory", "Inventory ID")
        guard let item = entity(.inventory, number) else {
            throw VismaError.badRequest("Error: Inventory item '\(number)' does not exist.")
        }
        let isStock = item["stockItem"]?.boolValue ?? false
        if lineType.hasPrefix("Goods"), !isStock {
            throw VismaError.badRequest(
                "Error: Line \(index + 1): '\(number)' is not a stock item; line type \(lineType) needs one.")
        }
        if lineType.hasPrefix("NonStock"), isStock {
            throw VismaError.badRequest(
                "Error: Line \(index + 1): '\(number)' is a stock item; line type \(lineType) needs a non-stock item.")
        }
        let unit = try line.string("uom") ?? item["purchaseUnit"]?.stringValue ?? "STK"
        guard fixture.units.contains(unit) else {
            throw VismaError.badRequest("Error: Unit of measure '\(unit)' does not exist.")
        }
        let warehouse = try line.string("warehouse")
        let problems = lineProblemsOf(
            line: index + 1, item: item, number: number, unit: unit, warehouse: warehouse, stock: isStock)
        guard let quantity = try line.number("orderQty"), quantity > 0 else {
            throw VismaError.badRequest("Error: Line \(index + 1): 'Order Qty.' must be greater than 0.")
        }
        let unitCost = try line.number("unitCost") ?? 0
        guard unitCost >= 0 else {
            throw VismaError.badRequest("Error: Line \(index + 1): 'Unit Cost' must not be negative.")
        }
        let extended = ore(quantity * unitCost)
        let rendered = JSONValue.object([
            "lineNbr": .number(try line.number("lineNumber") ?? Double(index + 1)),
            "inventory": ["number": .string(number), "description": item["description"] ?? .null],
            "lineType": .string(lineType), "uom": .string(unit), "orderQty": .number(quantity),
            "unitCost": .number(unitCost), "extCost": amount(extended), "amount": amount(extended),
            "lineDescription": .text(try line.string("lineDescription")),
            "warehouse": warehouse.map { ["id": .string($0)] } ?? .null,
        ]).compacted
        return (rendered, extended, problems)
    }
}

extension CompanyState {
    /// What is wrong with a line's unit (one of the item's own units) and warehouse (active; required on stock lines
    /// when `behaviour.purchaseOrderWarehouseRequired`), one text per problem.
    func lineProblemsOf(
        line: Int, item: JSONValue, number: String, unit: String, warehouse: String?, stock: Bool
    ) -> [String] {
        var problems: [String] = []
        let itemUnits = ["baseUnit", "purchaseUnit", "salesUnit"].compactMap { item[$0]?.stringValue }
        if !itemUnits.isEmpty, !itemUnits.contains(unit) {
            problems.append(
                "Line \(line): Unit '\(unit)' is not a unit of item '\(number)' (its units: \(Set(itemUnits).sorted().joined(separator: ", ")))."
            )
        }
        if let warehouse {
            if !fixture.warehouses.contains(where: { $0.id == warehouse && $0.active }) {
                problems.append("Line \(line): Warehouse '\(warehouse)' does not exist or is inactive.")
            }
        } else if stock, fixture.behaviour.purchaseOrderWarehouseRequired {
            problems.append("Line \(line): 'Warehouse' cannot be empty.")
        }
        return problems
    }

    /// One refusal naming every bad line, one per line of the message.
    static func refuse(_ lineProblems: [String]) throws {
        guard !lineProblems.isEmpty else { return }
        let count = lineProblems.count
        throw VismaError.badRequest(
            (["Error: The purchase order has \(count) invalid line\(count == 1 ? "" : "s"):"] + lineProblems).joined(
                separator: "\n"))
    }
}

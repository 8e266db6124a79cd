import FlexyVismaCore
import Foundation

/// `/v1/inventory`: stock and non-stock items, with Visma's item class rules.
extension CompanyState {
    static let inventoryWrapped: Set<String> = [
        "inventoryNumber", "status", "type", "description", "body", "itemClass", "postingClass", "vatCode",
        "defaultPrice",
        "baseUnit", "salesUnit", "purchaseUnit", "expenseAccrualAccount", "inventoryAccount", "expenseAccount",
        "cogsAccount", "expenseNonTaxableAccount", "expenseEuAccount", "expenseImportAccount", "salesAccount",
        "salesNonTaxableAccount", "salesEuAccount", "salesExportAccount", "defaultWarehouse", "defaultIssueFrom",
        "defaultReceiptTo", "kitItem", "note",
    ]
    static let inventoryStatuses = ["Active", "NoSales", "NoPurchases", "NoRequest", "Inactive", "MarkedForDeletion"]

    func listInventory(_ query: [String: String]) throws -> Outcome {
        var items = all(.inventory)
        if let number = query["inventoryNumber"] {
            items = items.filter { $0["inventoryNumber"]?.stringValue == number }
        }
        if let description = query["description"] {
            items = items.filter {
                $0["description"]?.stringValue?.localizedCaseInsensitiveContains(description) == true
            }
        }
        return .ok(try paging(query, "inventory").arrayResponse(items))
    }

    func getInventory(_ number: String) throws -> Outcome {
        guard let item = entity(.inventory, number) else {
            throw VismaError.notFound("Inventory item with inventoryNumber = \(number) not found.")
        }
        return .ok(item)
    }

    mutating func createInventory(_ body: JSONValue) throws -> Outcome {
        let dto = try WriteDTO(
            body, dto: "InventoryUpdateDto", wrapped: Self.inventoryWrapped,
            lines: ["expenseSubaccount", "cogsSubaccount", "salesSubaccount", "attributeLines", "supplierDetails"])
        let number = try dto.requiredString("inventoryNumber", "Inventory ID")
        guard entity(.inventory, number) == nil else {
            throw VismaError.badRequest("Error creating inventory item. Inventory ID '\(number)' already exists.")
        }
        let item = try renderInventory(dto, number: number, existing: nil)
        insert(.inventory, number, item)
        return .created("/v1/inventory/\(Self.pathSegment(number))")
    }

    mutating func updateInventory(_ number: String, _ body: JSONValue) throws -> Outcome {
        guard let existing = entity(.inventory, number) else {
            throw VismaError.notFound("Inventory item with inventoryNumber = \(number) not found.")
        }
        let dto = try WriteDTO(
            body, dto: "InventoryUpdateDto", wrapped: Self.inventoryWrapped,
            lines: ["expenseSubaccount", "cogsSubaccount", "salesSubaccount", "attributeLines", "supplierDetails"])
        if let sent = try dto.string("inventoryNumber"), sent != number {
            throw VismaError.badRequest(
                "Error: inventoryNumber is not applicable for PUT; use action/changeInventoryNbr.")
        }
        insert(.inventory, number, try renderInventory(dto, number: number, existing: existing))
        return .noContent
    }

    /// Applies Visma's item rules and renders the read DTO (`InventoryDto`).
    private mutating func renderInventory(_ dto: WriteDTO, number: String, existing: JSONValue?) throws -> JSONValue {
        let classId = try dto.string("itemClass") ?? existing?["itemClass"]?["id"]?.stringValue
        guard let classId else { throw VismaError.badRequest("Error: 'Item Class' cannot be empty.") }
        guard let itemClass = itemClass(classId) else {
            throw VismaError.badRequest("Error: Item class '\(classId)' not found.")
        }
        let type =
            try dto.enumeration("type", CompanyFixture.itemTypes) ?? existing?["type"]?.stringValue ?? itemClass.type
        let typeIsStock = CompanyFixture.stockTypes.contains(type)
        guard typeIsStock == itemClass.stockItem else {
            throw VismaError.badRequest(
                "Error: The item type \(type) does not match item class '\(classId)', which holds \(itemClass.stockItem ? "stock" : "non-stock") items."
            )
        }
        if let existing, existing["stockItem"]?.boolValue != itemClass.stockItem {
            throw VismaError.badRequest("Error: Item '\(number)' cannot move between stock and non-stock item classes.")
        }
        if !itemClass.stockItem {
            for field in ["inventoryAccount", "cogsAccount"] where dto.has(field) {
                throw VismaError.badRequest("Error: '\(field)' is only used for stock items.")
            }
        } else {
            for field in ["expenseAccount", "expenseAccrualAccount"] where dto.has(field) {
                throw VismaError.badRequest("Error: '\(field)' is only used for non-stock items.")
            }
        }
        var units: [String: String] = [:]
        for field in ["baseUnit", "salesUnit", "purchaseUnit"] {
            let unit = try dto.string(field) ?? existing?[field]?.stringValue ?? fixture.units.first ?? "STK"
            guard fixture.units.contains(unit) else {
                throw VismaError.badRequest("Error: Unit of measure '\(unit)' does not exist.")
            }
            units[field] = unit
        }
        let vatId = try dto.string("vatCode") ?? existing?["vatCode"]?["id"]?.stringValue
        var vat: JSONValue = .null
        if let vatId {
            guard let category = fixture.vatCategories.first(where: { $0.id == vatId && $0.active }) else {
                throw VismaError.badRequest("Error: VAT category '\(vatId)' does not exist or is inactive.")
            }
            vat = ["id": .string(category.id), "description": .string(category.description)]
        }
        let status =
            try dto.enumeration("status", Self.inventoryStatuses) ?? existing?["status"]?.stringValue ?? "Active"
        let kit = try dto.bool("kitItem") ?? existing?["kitItem"]?.boolValue ?? false
        if let existing, existing["kitItem"]?.boolValue == true, !kit,
            entities[.kitSpecification]?.keys.contains(where: { $0.hasPrefix("\(number)/") }) == true
        {
            throw VismaError.badRequest("Error: Item '\(number)' has kit specifications and must stay a kit.")
        }
        let internalId = existing?["inventoryId"]?.numberValue.map { Int($0) } ?? makeInternalId()
        let object: [String: JSONValue] = [
            "inventoryId": .number(Double(internalId)),
            "inventoryNumber": .string(number),
            "status": .string(status),
            "type": .string(type),
            "description": .text(try dto.string("description") ?? existing?["description"]?.stringValue),
            "itemClass": [
                "id": .string(itemClass.id), "description": .string(itemClass.description),
                "type": .string(itemClass.type),
            ],
            "vatCode": vat,
            "defaultPrice": try dto.number("defaultPrice").map { .number($0) } ?? existing?["defaultPrice"] ?? .null,
            "baseUnit": .text(units["baseUnit"]),
            "salesUnit": .text(units["salesUnit"]),
            "purchaseUnit": .text(units["purchaseUnit"]),
            "stockItem": .bool(itemClass.stockItem),
            "kitItem": .bool(kit),
            "note": .text(try dto.string("note") ?? existing?["note"]?.stringValue),
            "lastModifiedDateTime": .string(Self.now()),
        ]
        return JSONValue.object(object).compacted
    }

    static func now() -> String { Timestamp.iso8601(Date()) }

    func itemClassList() -> Outcome {
        .ok(
            .array(
                fixture.itemClasses.map {
                    [
                        "id": .string($0.id), "description": .string($0.description), "type": .string($0.type),
                        "attributes": [],
                    ]
                }))
    }

    func unitList() -> Outcome {
        .ok(
            .array(
                fixture.units.map {
                    ["fromUnit": .string($0), "toUnit": .string($0), "unitMultDiv": "Multiply", "unitRate": 1]
                }))
    }

    func vatCategoryList() -> Outcome {
        .ok(
            .array(
                fixture.vatCategories.map {
                    [
                        "vatCategoryId": .string($0.id), "description": .string($0.description),
                        "active": .bool($0.active), "excludeListedTaxes": false,
                    ]
                }))
    }
}

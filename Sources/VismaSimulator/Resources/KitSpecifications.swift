import FlexyVismaCore
import Foundation

/// `/v1/KitSpecifications`: kits only on kit items, components in the right list, revisions immutable.
extension CompanyState {
    static let kitWrapped: Set<String> = [
        "kitInventoryID", "revisionID", "descr", "isActive", "allowCompAddition", "isNonStock",
    ]
    static let kitStockLineWrapped: Set<String> = [
        "lineNbr", "compInventoryID", "dfltCompQty", "uom", "allowQtyVariation", "minCompQty", "maxCompQty",
        "disassemblyCoeff", "allowSubstitution",
    ]
    static let kitNonStockLineWrapped: Set<String> = [
        "lineNbr", "compInventoryID", "dfltCompQty", "uom", "allowQtyVariation", "minCompQty", "maxCompQty",
    ]

    func listKitSpecifications(_ query: [String: String]) throws -> Outcome {
        var kits = all(.kitSpecification)
        if let kit = query["kitInventoryID"] { kits = kits.filter { $0["kitInventoryID"]?.stringValue == kit } }
        if let revision = query["revisionID"] { kits = kits.filter { $0["revision"]?.stringValue == revision } }
        return .ok(try paging(query, "kitspecifications").wrapperResponse(kits))
    }

    func getKitSpecification(_ kit: String, _ revision: String) throws -> Outcome {
        guard let spec = entity(.kitSpecification, "\(kit)/\(revision)") else {
            throw VismaError.notFound("Kit specification \(kit) revision \(revision) not found.")
        }
        return .ok(spec)
    }

    mutating func createKitSpecification(_ body: JSONValue) throws -> Outcome {
        let dto = try WriteDTO(
            body, dto: "KitSpecificationUpdateDto", wrapped: Self.kitWrapped, bare: ["operation"],
            lines: ["stockComponentLines", "nonStockComponentLines"])
        let kitNumber = try dto.requiredString("kitInventoryID", "Kit Inventory ID")
        let revision = try dto.requiredString("revisionID", "Revision")
        guard let kit = entity(.inventory, kitNumber) else {
            throw VismaError.badRequest("Error: Inventory item '\(kitNumber)' does not exist.")
        }
        guard kit["kitItem"]?.boolValue == true else {
            throw VismaError.badRequest(
                "Error: Item '\(kitNumber)' is not a kit. Kit specifications can only be created for items marked as kits."
            )
        }
        guard entity(.kitSpecification, "\(kitNumber)/\(revision)") == nil else {
            throw VismaError.badRequest(
                "Error: Revision '\(revision)' of kit '\(kitNumber)' already exists; revisions cannot be changed, create a new revision."
            )
        }
        let kitIsStock = kit["stockItem"]?.boolValue ?? true
        if let isNonStock = try dto.bool("isNonStock"), isNonStock == kitIsStock {
            throw VismaError.badRequest("Error: isNonStock does not match kit item '\(kitNumber)'.")
        }
        let stockLines = try dto.lines(
            "stockComponentLines", dto: "KitSpecificationStockComponentsUpdateDto", wrapped: Self.kitStockLineWrapped)
        let nonStockLines = try dto.lines(
            "nonStockComponentLines", dto: "KitSpecificationNonStockComponentsUpdateDto",
            wrapped: Self.kitNonStockLineWrapped)
        guard !stockLines.isEmpty || !nonStockLines.isEmpty else {
            throw VismaError.badRequest("Error: A kit specification needs at least one component.")
        }
        func render(_ line: WriteDTO, index: Int, stock: Bool) throws -> JSONValue {
            let component = try line.requiredString("compInventoryID", "Component ID")
            guard let item = entity(.inventory, component) else {
                throw VismaError.badRequest("Error: Component '\(component)' does not exist.")
            }
            guard component != kitNumber else {
                throw VismaError.badRequest("Error: Kit '\(kitNumber)' cannot contain itself.")
            }
            let isStock = item["stockItem"]?.boolValue ?? false
            guard isStock == stock else {
                throw VismaError.badRequest(
                    "Error: Component '\(component)' is a \(isStock ? "stock" : "non-stock") item and belongs in \(isStock ? "stockComponentLines" : "nonStockComponentLines")."
                )
            }
            let quantity = Self.storedQuantity(
                try line.number("dfltCompQty") ?? 1, places: fixture.behaviour.quantityDecimalPlaces)
            guard quantity > 0 else { throw VismaError.badRequest("Error: Component quantity must be greater than 0.") }
            let unit = try line.string("uom") ?? item["baseUnit"]?.stringValue ?? "STK"
            guard fixture.units.contains(unit) else {
                throw VismaError.badRequest("Error: Unit of measure '\(unit)' does not exist.")
            }
            var object: [String: JSONValue] = [
                "lineNbr": .number(try line.number("lineNbr") ?? Double(index + 1)),
                "componentID": .string(component), "componentQty": .number(quantity), "uom": .string(unit),
                "allowComponentQtyVariance": .bool(try line.bool("allowQtyVariation") ?? false),
                "description": item["description"] ?? .null,
            ]
            if stock {
                object["allowComponentSubstitution"] = .bool(try line.bool("allowSubstitution") ?? false)
                object["disassemblyCoeff"] = .number(try line.number("disassemblyCoeff") ?? 1)
            }
            return JSONValue.object(object).compacted
        }
        let spec: JSONValue = JSONValue.object([
            "kitInventoryID": .string(kitNumber), "revision": .string(revision),
            "description": .text(try dto.string("descr")), "isActive": .bool(try dto.bool("isActive") ?? true),
            "allowComponentAddition": .bool(try dto.bool("allowCompAddition") ?? false),
            "isNonStock": .bool(!kitIsStock),
            "stockComponentLines": .array(try stockLines.enumerated().map { try render($1, index: $0, stock: true) }),
            "nonStockComponentLines": .array(
                try nonStockLines.enumerated().map { try render($1, index: $0, stock: false) }),
            "createdDateTime": .string(Self.now()), "lastModifiedDateTime": .string(Self.now()),
        ]).compacted
        insert(.kitSpecification, "\(kitNumber)/\(revision)", spec)
        return .created("/v1/KitSpecifications/\(Self.pathSegment(kitNumber))/\(Self.pathSegment(revision))")
    }
}

extension CompanyState {
    /// A quantity as the company stores it: rounded half away from zero to its quantity decimal places.
    static func storedQuantity(_ value: Double, places: Int) -> Double {
        // Through the shortest decimal text of the number, so that 0.015 is the decimal 0.015 and not 0.01499….
        guard var exact = Decimal(string: "\(value)") else { return value }
        var rounded = Decimal()
        // `.plain` rounds a midpoint away from zero (up for positive, down for negative numbers).
        NSDecimalRound(&rounded, &exact, max(0, places), .plain)
        return NSDecimalNumber(decimal: rounded).doubleValue
    }
}

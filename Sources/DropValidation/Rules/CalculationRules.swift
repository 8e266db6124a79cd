import FlexyVismaCore
import XMLSupport

/// `calculations.xml`: the product exists, every component is an existing raw material, units exist.
struct CalculationRules {
    let context: ValidationContext
    let batchItems: [String: BatchItem]
    let file: String
    private var product: String?
    private(set) var products: Set<String> = []
    private(set) var count = 0

    init(context: ValidationContext, batchItems: [String: BatchItem], file: String) {
        self.context = context
        self.batchItems = batchItems
        self.file = file
    }

    /// Whether an item is known as a raw material: in this batch, in an earlier batch, or (lacking
    /// that) a Visma stock item that no batch ever called a product.
    private func kind(of number: String) -> String? {
        if let item = batchItems[number] { return item.kind }
        if let kind = context.history.itemKinds[number] { return kind }
        if let item = context.vismaItems[number] { return item.stockItem ? "raw_material" : "product" }
        return nil
    }

    mutating func handle(_ event: XMLEvent, pending: inout [XMLFileCheck.PendingFinding]) {
        guard case .start(let element) = event else { return }
        func queue(_ rule: ValidationRule, _ message: String, _ field: String, _ hint: String) {
            pending.append(
                .field(rule, message, field: field, hint: hint, file: file, element: element, record: product))
        }
        switch element.name {
        case "calculation":
            count += 1
            product = element["item"]
            guard let number = product else { return }
            products.insert(number)
            switch kind(of: number) {
            case nil:
                queue(
                    .kitUnknownProduct, "product \(number) exists neither in this batch, earlier batches nor Visma",
                    "item",
                    "export the product in items.csv together with its calculation")
            case "raw_material"?:
                queue(
                    .kitProductIsRawMaterial, "\(number) is a raw material; only products have calculations", "item",
                    "check the item number")
            default:
                break
            }
        case "component":
            guard let number = element["item"], let product else { return }
            if number == product {
                queue(
                    .kitSelfComponent, "product \(number) is in its own recipe", "item",
                    "remove the line from the calculation")
                return
            }
            switch kind(of: number) {
            case nil:
                queue(
                    .kitUnknownComponent, "\(number) exists neither in this batch, earlier batches nor Visma", "item",
                    "export the raw material in items.csv, or create it in Visma")
            case "product"?:
                queue(
                    .kitComponentNotRawMaterial, "\(number) is a product, not a raw material (stock item)", "item",
                    "a kit lists raw materials; use the raw materials of \(number) instead")
            default:
                if let unit = element["unit"], !context.units.contains(unit) {
                    queue(
                        .kitUnknownUnit, "unit \(unit) does not exist in Visma", "unit",
                        "create the unit in Visma, or correct it")
                }
                let places = context.configuration.pipeline.effectiveQuantityDecimalPlaces
                if let text = element["quantity"], let quantity = FixedPoint(parsing: text, scale: 4),
                    Self.roundsToZero(quantity.units, places: places)
                {
                    queue(
                        .kitQuantityBelowPrecision,
                        "quantity \(text) is 0 at the company's \(places) quantity decimal places; Visma would refuse the component",
                        "quantity",
                        "raise \"Quantity decimal places\" in Visma and pipeline.quantityDecimalPlaces to match (e.g. 4), or use a smaller unit"
                    )
                }
            }
        default:
            break
        }
    }
}

extension CalculationRules {
    /// Whether a positive quantity in ten-thousandths becomes 0 when rounded half away from zero to `places` decimals.
    static func roundsToZero(_ quantityE4: Int64, places: Int) -> Bool {
        guard quantityE4 > 0, places < 4 else { return false }
        var step: Int64 = 1
        for _ in 0..<(4 - max(0, places)) { step *= 10 }
        return quantityE4 * 2 < step
    }
}

/// `purchase_orders.xml`: the supplier exists by name in Visma, every line is an existing stock item.
struct PurchaseOrderRules {
    let context: ValidationContext
    let batchItems: [String: BatchItem]
    let kitProducts: Set<String>
    let file: String
    private var order: String?
    private(set) var count = 0

    init(context: ValidationContext, batchItems: [String: BatchItem], kitProducts: Set<String>, file: String) {
        self.context = context
        self.batchItems = batchItems
        self.kitProducts = kitProducts
        self.file = file
    }

    mutating func handle(_ event: XMLEvent, pending: inout [XMLFileCheck.PendingFinding]) {
        guard case .start(let element) = event else { return }
        func queue(_ rule: ValidationRule, _ message: String, _ field: String, _ hint: String) {
            pending.append(.field(rule, message, field: field, hint: hint, file: file, element: element, record: order))
        }
        switch element.name {
        case "purchaseOrder":
            count += 1
            order = element["number"]
            guard let supplier = element["supplier"] else { return }
            let matches = context.reference.suppliers.filter { $0.name == supplier }
            if matches.isEmpty {
                let similar = context.reference.suppliers.first { $0.name.lowercased() == supplier.lowercased() }
                queue(
                    .poUnknownSupplier, "no Visma supplier is named \"\(supplier)\"", "supplier",
                    similar.map { "Visma has \"\($0.name)\": correct the name in FlexyBox" }
                        ?? "create supplier '\(supplier)' in Visma, or correct the name in FlexyBox")
            } else if !matches.contains(where: \.active) {
                queue(
                    .poInactiveSupplier, "Visma supplier \"\(supplier)\" is not active", "supplier",
                    "activate the supplier in Visma")
            }
        case "line":
            guard let number = element["item"] else { return }
            let stock: Bool?
            if let item = batchItems[number] {
                stock = item.kind == "raw_material" || !kitProducts.contains(number)
            } else if let item = context.vismaItems[number] {
                stock = item.stockItem && !kitProducts.contains(number)
            } else {
                stock = nil
            }
            switch stock {
            case nil:
                queue(
                    .poUnknownItem, "\(number) exists neither in this batch nor in Visma", "item",
                    "export the item first, or correct the number")
            case false?:
                queue(
                    .poLineNotStockItem, "\(number) is a product with a calculation (non-stock kit), not a stock item",
                    "item",
                    "order its raw materials instead")
            case true?:
                if let unit = element["unit"], !context.units.contains(unit) {
                    queue(
                        .poUnknownUnit, "unit \(unit) does not exist in Visma", "unit",
                        "create the unit in Visma, or correct it")
                } else if let unit = element["unit"], let itemUnit = batchItems[number]?.unit, unit != itemUnit {
                    // Only items of this batch: a Visma item may have a purchase unit besides the base unit the snapshot holds.
                    queue(
                        .poUnitNotOfItem,
                        "\(number) is kept in \(itemUnit), not \(unit); Visma takes only the item's own unit", "unit",
                        "order \(number) in \(itemUnit) in FlexyBox, or change the item's unit")
                }
            }
        default:
            break
        }
    }
}

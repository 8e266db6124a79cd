import FlexyVismaCore

/// `items.csv`: classes, units, VAT codes and item groups as this Visma company and config have them.
struct ItemRules {
    let context: ValidationContext
    /// Products that have a calculation in this batch, an earlier one, or are kits in Visma.
    let kitProducts: Set<String>

    func check(_ record: CSVRecord, file: String, findings: inout FindingList) {
        let number = record["item_number"] ?? "?"
        let kind = record.usable("kind")
        let configuration = context.configuration
        func error(_ rule: ValidationRule, _ column: String, _ message: String, _ hint: String) {
            findings.error(
                rule, message, file: file, line: record.line, column: record.column(column), record: number,
                field: column, hint: hint)
        }
        if kind == "product", let group = record.usable("item_group"), configuration.itemGroups[group] == nil {
            error(
                .itemUnmappedItemGroup, "item_group",
                "item group \"\(group)\" is not mapped to a revenue account in config",
                "add \"\(group)\" under itemGroups in flexyvisma.json")
        }
        if let vat = record.usable("vat_code"), configuration.vatCodes[vat] == nil {
            error(
                .itemUnmappedVatCode, "vat_code", "VAT code \(vat) is not mapped to a Visma VAT category in config",
                "add \"\(vat)\" under vatCodes in flexyvisma.json")
        }
        if let unit = record.usable("unit"), !context.units.contains(unit) {
            error(
                .itemUnknownUnit, "unit", "unit \(unit) does not exist in Visma",
                "create the unit of measure \(unit) in Visma, or use one of \(context.units.sorted().joined(separator: ", "))"
            )
        }
        guard let kind else { return }  // the class depends on the kind, which already has its finding
        let needsStock = kind == "raw_material" || !kitProducts.contains(number)
        let explicitClass = record.usable("visma_item_class")
        let classId =
            explicitClass ?? (needsStock ? configuration.itemClasses.stock : configuration.itemClasses.nonStock)
        let classColumn = explicitClass == nil ? "kind" : "visma_item_class"
        let what =
            kind == "raw_material"
            ? "raw material \(number)"
            : (needsStock ? "product \(number) (no calculation)" : "product \(number) (with calculation)")
        guard let itemClass = context.itemClasses[classId] else {
            error(
                .itemUnknownClass, classColumn, "item class \(classId) does not exist in Visma",
                "create item class \(classId) in Visma, or correct visma_item_class / itemClasses in config")
            return
        }
        if itemClass.stockItem != needsStock {
            error(
                .itemClassTypeMismatch, classColumn,
                "\(what) needs a \(needsStock ? "stock" : "non-stock") item class; \(classId) is \(itemClass.stockItem ? "stock" : "non-stock")",
                needsStock
                    ? "use a stock class such as \(configuration.itemClasses.stock)"
                    : "use a non-stock class such as \(configuration.itemClasses.nonStock)")
        }
        if let existing = context.vismaItems[number], existing.stockItem != needsStock {
            error(
                .itemStockTypeChange, classColumn,
                "\(number) is a \(existing.stockItem ? "stock" : "non-stock") item in Visma and would become \(needsStock ? "stock" : "non-stock")",
                "Visma cannot move an item between stock and non-stock: give the item a new number, or change it in Visma by hand"
            )
        }
    }
}

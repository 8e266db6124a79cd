import FlexyVismaCore
import Foundation

/// Fetches the reference snapshot validation checks against (DESIGN §6).
public enum ReferenceFetcher {
    public static func fetch(with client: VismaClient, pageSize: Int = 1000) throws -> ReferenceSnapshot {
        func list(_ path: String) throws -> [[String: Any]] { try client.getJSON(path) as? [[String: Any]] ?? [] }
        func text(_ object: [String: Any], _ key: String) -> String { object[key] as? String ?? "" }
        func flag(_ object: [String: Any], _ key: String, _ otherwise: Bool) -> Bool { object[key] as? Bool ?? otherwise }

        let itemClasses = try list("/v1/inventory/itemClass").map { ReferenceSnapshot.ItemClass(id: text($0, "id"), type: text($0, "type")) }
        let units = Set(try list("/v1/unitofmeasure").flatMap { [text($0, "fromUnit"), text($0, "toUnit")] }).filter { !$0.isEmpty }
        let vatCategories = try list("/v1/vatCategory").map {
            ReferenceSnapshot.VatCategory(id: text($0, "vatCategoryId"), active: flag($0, "active", true))
        }
        let paymentMethods = try list("/v1/paymentmethod").map {
            ReferenceSnapshot.PaymentMethod(id: text($0, "paymentMethodID"), description: text($0, "description"), active: flag($0, "active", true))
        }
        let suppliers = try client.getAllPages("/v1/supplier", pageSize: pageSize).map {
            ReferenceSnapshot.Supplier(number: text($0, "number"), name: text($0, "name"), active: text($0, "status") == "Active")
        }
        let customerClasses = try list("/v1/customer/customerClass").map { text($0, "id") }
        let branches = try list("/v1/branch").map { ReferenceSnapshot.Branch(number: text($0, "number"), active: flag($0, "isActive", true)) }
        let periods = try list("/v1/financialPeriod").map {
            ReferenceSnapshot.FinancialPeriod(period: text($0, "period"), closed: flag($0, "closedInGeneralLedger", false))
        }
        let items = try client.getAllPages("/v1/inventory", pageSize: pageSize).map {
            ReferenceSnapshot.Item(
                number: text($0, "inventoryNumber"), itemClass: ($0["itemClass"] as? [String: Any]).map { text($0, "id") } ?? "",
                stockItem: flag($0, "stockItem", true), kitItem: flag($0, "kitItem", false), description: $0["description"] as? String,
                defaultPrice: ($0["defaultPrice"] as? NSNumber)?.doubleValue, baseUnit: $0["baseUnit"] as? String,
                vatCategory: ($0["vatCode"] as? [String: Any])?["id"] as? String, status: $0["status"] as? String)
        }
        var kits: [ReferenceSnapshot.Kit] = []
        var page = 1
        while true {
            let wrapper = try client.getJSON("/v1/KitSpecifications?pageNumber=\(page)&pageSize=\(pageSize)") as? [String: Any] ?? [:]
            let records = wrapper["records"] as? [[String: Any]] ?? []
            for record in records {
                let lines = (record["stockComponentLines"] as? [[String: Any]] ?? []) + (record["nonStockComponentLines"] as? [[String: Any]] ?? [])
                let components = lines.map { line -> String in
                    let quantity = (line["componentQty"] as? NSNumber)?.doubleValue ?? 0
                    return "\(text(line, "componentID")):\(Int64((quantity * 10_000).rounded()))"
                }
                kits.append(ReferenceSnapshot.Kit(item: text(record, "kitInventoryID"), revision: text(record, "revision"), components: components))
            }
            if records.count < pageSize { break }
            page += 1
        }
        let customers = try client.getAllPages("/v1/customer", pageSize: pageSize).map { text($0, "number") }
        return ReferenceSnapshot(
            fetchedAt: Timestamp.iso8601(Date()), source: client.connection.baseURL, itemClasses: itemClasses,
            units: units.sorted(), vatCategories: vatCategories, paymentMethods: paymentMethods, suppliers: suppliers,
            customerClasses: customerClasses, branches: branches, financialPeriods: periods, items: items,
            customers: customers, kits: kits)
    }
}

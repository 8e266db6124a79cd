import DropFormats
import FlexyBoxExport
import FlexyVismaCore
import Foundation
import GRDB
import TestSupport
import Testing
import XMLSupport

/// Source → drop files → parsed back: the same records and the same control totals.
@Suite struct ExportRoundTripTests {
    @Test func firstExportCarriesTheWholeSampleWeekAndAllMasterData() throws {
        let fixture = try ExportFixture()
        let outcome = try fixture.export()
        let batch = try #require(outcome.batchFolder)
        let manifest = try #require(outcome.manifest)
        #expect(
            manifest.export?.businessDays
                == BusinessDay.range(from: ExportFixture.day("2026-11-22"), through: ExportFixture.day("2026-11-28"))
                .map(\.text))
        #expect(manifest.status == .accepted)
        #expect(manifest.previous == nil)
        #expect(
            !FileManager.default.fileExists(
                atPath: fixture.root.inbox.appendingPathComponent(".\(manifest.batchId).tmp").path))

        let source = try DatabaseQueue(path: fixture.sourceURL.path)
        // Items: every column as the source holds it.
        let items = try readCSV(batch.appendingPathComponent("items.csv"))
        let sourceItems = try source.read { db in try Row.fetchAll(db, sql: "SELECT * FROM items ORDER BY item_number")
        }
        #expect(items.count == sourceItems.count)
        for (record, row) in zip(items, sourceItems) {
            #expect(record["item_number"] == row["item_number"])
            #expect(record["name"] == row["name"])
            #expect(record["kind"] == row["kind"])
            #expect(record["item_group"] == (row["item_group"] as String? ?? ""))
            #expect(record["unit"] == row["unit"])
            #expect(
                record["sales_price"].flatMap { FixedPoint(parsing: $0, scale: 2)?.units } == row["sales_price_ore"])
            #expect(record["cost_price"].flatMap { FixedPoint(parsing: $0, scale: 2)?.units } == row["cost_price_ore"])
            #expect(record["vat_code"] == row["vat_code"])
            #expect(record["active"] == "true")
        }

        // Customers, including the ones with missing fields (exported as they are, for the validator).
        let customers = try readCSV(batch.appendingPathComponent("customers.csv"))
        let sourceCustomers = try source.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM customers ORDER BY customer_number")
        }
        #expect(customers.count == sourceCustomers.count)
        for (record, row) in zip(customers, sourceCustomers) {
            for column in [
                "customer_number", "name", "address_line1", "postal_code", "city", "country", "email", "vat_number",
            ] {
                #expect(
                    record[column] == (row[column] as String? ?? ""), "\(column) of \(record["customer_number"] ?? "?")"
                )
            }
        }

        // Payments: amounts exact, department by name.
        let payments = try readCSV(batch.appendingPathComponent("payments.csv"))
        let sourcePayments = try source.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT p.*, d.name AS department_name FROM customer_payments p LEFT JOIN departments d ON d.code = p.department ORDER BY business_day, payment_id"
            )
        }
        #expect(payments.map { $0["payment_id"] } == sourcePayments.map { $0["payment_id"] as String? })
        #expect(
            payments.map { FixedPoint(parsing: $0["amount"] ?? "", scale: 2)?.units }
                == sourcePayments.map { $0["amount_ore"] as Int64? })
        #expect(payments.map { $0["department"] } == sourcePayments.map { $0["department_name"] as String? })

        // Calculations: every component of every product's recipe.
        let components = try readCalculations(batch.appendingPathComponent("calculations.xml"))
        let sourceComponents = try source.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT item_number, component_item, quantity_e4, unit FROM calculation_components ORDER BY item_number, line"
            )
            .map {
                "\($0["item_number"] as String? ?? "") \($0["component_item"] as String? ?? "") \($0["quantity_e4"] as Int64? ?? 0) \($0["unit"] as String? ?? "")"
            }
        }
        #expect(components == sourceComponents)

        // Receipts: every line and tender, and the manifest's totals equal both the files and the source.
        let receiptFiles = manifest.outputs.filter { $0.fileType == "receipts" }
        var parsedTotals: [String: (gross: Int64, tenders: [String: Int64], receipts: Int)] = [:]
        for file in receiptFiles {
            parsedTotals[file.path] = try sumReceipts(batch.appendingPathComponent(file.path))
        }
        let totals = try #require(manifest.controlTotals)
        #expect(totals.receiptDays.count == receiptFiles.count)
        for day in totals.receiptDays {
            let parsed = try #require(parsedTotals[day.file])
            #expect(FixedPoint(parsing: day.grossSales, scale: 2)?.units == parsed.gross)
            #expect(day.tenders.mapValues { FixedPoint(parsing: $0, scale: 2)?.units ?? -1 } == parsed.tenders)
            #expect(day.receipts == parsed.receipts)
        }
        let sourceGross = try source.read { db in
            try Int64.fetchOne(db, sql: "SELECT sum(amount_ore) FROM receipt_lines")
        }
        #expect(parsedTotals.values.reduce(0) { $0 + $1.gross } == sourceGross)
        let sourceReceipts = try source.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM receipts") }
        #expect(manifest.counts["receipts"] == sourceReceipts)
        #expect(receiptFiles.contains { $0.path == "receipts-bowling-2026-11-28.xml" })

        // Every output's recorded hash and size are those of the file on disk.
        for output in manifest.outputs {
            let digest = try DurableFiles.digest(of: batch.appendingPathComponent(output.path))
            #expect(digest.sha256 == output.sha256 && digest.bytes == output.bytes, "\(output.path)")
        }
        try source.close()
    }

    func readCalculations(_ url: URL) throws -> [String] {
        let reader = try XMLStreamReader(path: url.path)
        var product = ""
        var components: [String] = []
        while let event = try reader.next() {
            guard case .start(let element) = event else { continue }
            if element.name == "calculation" { product = element["item"] ?? "" }
            if element.name == "component" {
                let quantity = FixedPoint(parsing: element["quantity"] ?? "", scale: 4)?.units ?? -1
                components.append("\(product) \(element["item"] ?? "") \(quantity) \(element["unit"] ?? "")")
            }
        }
        #expect(reader.issues.isEmpty)
        return components
    }

    func sumReceipts(_ url: URL) throws -> (gross: Int64, tenders: [String: Int64], receipts: Int) {
        let reader = try XMLStreamReader(path: url.path)
        var gross: Int64 = 0
        var tenders: [String: Int64] = [:]
        var receipts = 0
        while let event = try reader.next() {
            guard case .start(let element) = event else { continue }
            switch element.name {
            case "receipt": receipts += 1
            case "line": gross += FixedPoint(parsing: element["amount"] ?? "", scale: 2)?.units ?? 0
            case "tender":
                tenders[element["type"] ?? "", default: 0] +=
                    FixedPoint(parsing: element["amount"] ?? "", scale: 2)?.units ?? 0
            default: break
            }
        }
        return (gross, tenders, receipts)
    }
}

import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaSimulator

/// The simulator behaves like a real company on kit precision, purchase order lines, error shapes and what the doctor reads.
@Suite struct CompanyRealismTests {
    func withClient(
        _ company: CompanyFixture = .sampleVenue, _ body: (VismaTestClient) async throws -> Void
    ) async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            try await body(client)
        }
    }

    func company(_ change: (inout CompanyFixture) -> Void) -> CompanyFixture {
        var company = CompanyFixture.sampleVenue
        change(&company)
        return company
    }

    func kit(_ number: String, revision: String, quantity: String) -> String {
        """
        {"kitInventoryID": {"value": "\(number)"}, "revisionID": {"value": "\(revision)"}, "isNonStock": {"value": true},
         "stockComponentLines": [{"operation": "Insert", "lineNbr": {"value": 1}, "compInventoryID": {"value": "R-1"}, "dfltCompQty": {"value": \(quantity)}, "uom": {"value": "KG"}}]}
        """
    }

    @Test func kitQuantitiesAreStoredRoundedHalfAwayFromZeroToTheCompanysQuantityDecimalPlaces() async throws {
        try await withClient(company { $0.behaviour.quantityDecimalPlaces = 2 }) { client in
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-1")).status == 201)
            #expect(try await client.post("/v1/inventory", Payloads.product("1003", kit: true)).status == 201)
            for (revision, sent, stored) in [
                ("1", "0.015", 0.02), ("2", "0.125", 0.13), ("3", "0.0149", 0.01), ("4", "1.005", 1.01),
            ] {
                #expect(
                    try await client.post("/v1/KitSpecifications", kit("1003", revision: revision, quantity: sent))
                        .status == 201)
                let spec = try await client.get("/v1/KitSpecifications/1003/\(revision)")
                let line = (spec.jsonObject["stockComponentLines"] as? [[String: Any]])?.first
                #expect(line?["componentQty"] as? Double == stored, "\(sent)")
            }
            // A quantity that rounds to nothing is refused, as a quantity of 0 is.
            let nothing = try await client.post("/v1/KitSpecifications", kit("1003", revision: "5", quantity: "0.004"))
            #expect(nothing.status == 400)
            #expect(nothing.message.contains("Component quantity must be greater than 0"))
        }
        try await withClient(company { $0.behaviour.quantityDecimalPlaces = 4 }) { client in
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-1")).status == 201)
            #expect(try await client.post("/v1/inventory", Payloads.product("1003", kit: true)).status == 201)
            #expect(
                try await client.post("/v1/KitSpecifications", kit("1003", revision: "1", quantity: "0.0185")).status
                    == 201)
            let line =
                (try await client.get("/v1/KitSpecifications/1003/1").jsonObject["stockComponentLines"]
                as? [[String: Any]])?.first
            #expect(line?["componentQty"] as? Double == 0.0185)
        }
    }

    func order(_ lines: [(unit: String, warehouse: String?)]) -> String {
        let rendered = lines.enumerated().map { index, line in
            """
            {"operation": "Insert", "lineNumber": {"value": \(index + 1)}, "inventory": {"value": "R-1"}, "lineType": {"value": "GoodsForInventory"},
             \(line.warehouse.map { "\"warehouse\": {\"value\": \"\($0)\"}," } ?? "") "uom": {"value": "\(line.unit)"}, "orderQty": {"value": 5}, "unitCost": {"value": 10}}
            """
        }
        return """
            {"orderType": {"value": "RegularOrder"}, "orderNumber": {"value": "PO-9"}, "overrideNumberSeries": {"value": true},
             "date": {"value": "2026-11-28T00:00:00"}, "supplier": {"value": "50001"}, "hold": {"value": false}, "lines": [\(rendered.joined(separator: ","))]}
            """
    }

    @Test func purchaseOrderLinesNeedAUnitOfTheItemAndAnActiveWarehouseWhenTheCompanyRequiresOne() async throws {
        try await withClient(company { $0.behaviour.purchaseOrderWarehouseRequired = true }) { client in
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-1", unit: "KG")).status == 201)
            let wrongUnit = try await client.post("/v1/purchaseorder", order([("L", "CAFE")]))
            #expect(wrongUnit.status == 400)
            #expect(wrongUnit.message.contains("Line 1: Unit 'L' is not a unit of item 'R-1' (its units: KG)."))
            let noWarehouse = try await client.post("/v1/purchaseorder", order([("KG", nil)]))
            #expect(noWarehouse.message.contains("Line 1: 'Warehouse' cannot be empty."))
            let inactive = try await client.post("/v1/purchaseorder", order([("KG", "BOWLING")]))
            #expect(inactive.message.contains("Line 1: Warehouse 'BOWLING' does not exist or is inactive."))
            // Every bad line is named, one per line of the message.
            let both = try await client.post(
                "/v1/purchaseorder", order([("L", "CAFE"), ("KG", "CAFE"), ("KG", "NOPE")]))
            #expect(both.message.hasPrefix("VismaId: "))
            #expect(both.message.contains("Error: The purchase order has 2 invalid lines:\nLine 1: Unit 'L'"))
            #expect(both.message.hasSuffix("\nLine 3: Warehouse 'NOPE' does not exist or is inactive."))
            let right = try await client.post("/v1/purchaseorder", order([("KG", "CAFE")]))
            #expect(right.status == 201)
            let held = try await client.get("/v1/purchaseorder/PO-9")
            #expect(
                ((held.jsonObject["lines"] as? [[String: Any]])?.first?["warehouse"] as? [String: Any])?["id"]
                    as? String == "CAFE")
        }
    }

    /// Without the requirement a line may leave the warehouse out, but a named one must still be valid.
    @Test func aWarehouseIsOptionalUnlessRequiredButANamedOneMustBeValid() async throws {
        try await withClient(CompanyFixture.sampleVenue) { client in
            let item = try await client.post("/v1/inventory", Payloads.stockItem("R-1", unit: "KG"))
            #expect(item.status == 201)
            let unknown = try await client.post("/v1/purchaseorder", order([(unit: "KG", warehouse: "NOPE")]))
            #expect(unknown.status == 400)
            let without = try await client.post("/v1/purchaseorder", order([(unit: "KG", warehouse: nil)]))
            #expect(without.status == 201)
        }
    }

    @Test func endpointsListedInIppErrorsAnswerInTheIPPShapeAndOthersWithMessage() async throws {
        try await withClient(company { $0.behaviour.ippErrors = ["purchaseorder"] }) { client in
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-1", unit: "KG")).status == 201)
            let refused = try await client.post("/v1/purchaseorder", order([("L", "CAFE"), ("KG", "NOPE")]))
            #expect(refused.status == 400)
            let body = refused.jsonObject
            #expect(body["message"] == nil)
            #expect(body["ExceptionType"] as? String == "IPPException")
            #expect(body["ExceptionMessage"] as? String == "Error: The purchase order has 2 invalid lines:")
            #expect((body["ExceptionDetails"] as? String)?.hasPrefix("Line 1: Unit 'L'") == true)
            #expect(body["ExceptionFaultCode"] as? String == "400")
            #expect((body["ExceptionMessageID"] as? String)?.hasPrefix("400_") == true)
            // The client reads both parts, on their own lines.
            #expect(
                refused.vismaMessage?.hasPrefix("Error: The purchase order has 2 invalid lines:\nLine 1: Unit 'L'")
                    == true)
            let other = try await client.post("/v1/customer", Payloads.customer("K-1", customerClass: "NOPE"))
            #expect(other.status == 400)
            #expect(other.message.hasPrefix("VismaId: "))
        }
    }

    @Test func theListsTheDoctorReadsAnswerLikeVisma() async throws {
        try await withClient(
            company { company in
                if let index = company.accounts.firstIndex(where: { $0.number == "6850" }) {
                    company.accounts[index].controlAccountModule = "AR"
                }
            }
        ) { client in
            let warehouses = try await client.get("/v1/warehouse").jsonArray
            #expect(warehouses.map { $0["warehouseID"] as? String } == ["CAFE", "RESTAURANT", "BOWLING"])
            #expect(warehouses.last?["active"] as? Bool == false)
            #expect(try await client.get("/v1/warehouse?active=true").jsonArray.count == 2)
            let series = try await client.get("/v1/numberSequence").jsonArray
            #expect(
                series.contains {
                    $0["numberingId"] as? String == "ARPAYMENT" && $0["manualNumbering"] as? Bool == false
                })
            let accounts = try await client.get("/v1/account").jsonArray
            #expect(accounts.first { $0["accountCD"] as? String == "6850" }?["controlAccountModule"] as? String == "AR")
            #expect(accounts.first { $0["accountCD"] as? String == "1010" }?["controlAccountModule"] == nil)
            // A journal line on a control account is refused; the same line on an ordinary account goes through.
            let refused = try await client.post("/v2/journaltransaction", Payloads.journal("J-1", account: "6850"))
            #expect(refused.status == 400)
            #expect(refused.message.contains("Account '6850' is a control account of module AR"))
            #expect(try await client.post("/v2/journaltransaction", Payloads.journal("J-2")).status == 201)
        }
    }
}

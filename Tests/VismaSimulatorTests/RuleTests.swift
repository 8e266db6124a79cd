import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaSimulator

/// Every rule rejects with Visma's status and message, and accepts its valid twin.
@Suite struct RuleTests {
    func withClient(_ body: (VismaTestClient) async throws -> Void) async throws {
        try await RunningSimulator.with { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            try await body(client)
        }
    }

    func expectRejected(
        _ response: HTTPResponse, _ fragment: String, status: Int = 400,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == status, "\(response.message)", sourceLocation: sourceLocation)
        #expect(response.message.hasPrefix("VismaId: "), sourceLocation: sourceLocation)
        #expect(response.message.contains(fragment), "\(response.message)", sourceLocation: sourceLocation)
    }

    @Test func scalarsMustBeWrappedInValueObjects() async throws {
        try await withClient { client in
            let bare = try await client.post(
                "/v1/inventory", #"{"inventoryNumber": "R-1", "itemClass": {"value": "RAAVARE"}}"#)
            expectRejected(bare, "Data received not recognized as InventoryUpdateDto")
            let typo = try await client.post(
                "/v1/inventory", #"{"inventoryNumber": {"value": "R-1"}, "itemClas": {"value": "RAAVARE"}}"#)
            expectRejected(typo, "Unknown field 'itemClas'")
            let created = try await client.post("/v1/inventory", Payloads.stockItem("R-1"))
            #expect(created.status == 201)
            #expect(created[header: "location"]?.hasSuffix("/v1/inventory/R-1") == true)
        }
    }

    @Test func itemClassMustExistAndMatchTheItemType() async throws {
        try await withClient { client in
            expectRejected(
                try await client.post("/v1/inventory", Payloads.stockItem("R-2", itemClass: "NOPE")),
                "Item class 'NOPE' not found")
            expectRejected(
                try await client.post(
                    "/v1/inventory", Payloads.stockItem("R-2", itemClass: "LAGER", type: "NonStockItem")),
                "does not match item class 'LAGER'")
            expectRejected(
                try await client.post("/v1/inventory", Payloads.stockItem("R-2", unit: "POSE")),
                "Unit of measure 'POSE'")
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-2")).status == 201)
            #expect(try await client.post("/v1/inventory", Payloads.product("1003", kit: true)).status == 201)
            let stock = try await client.get("/v1/inventory/R-2")
            #expect(stock.jsonObject["stockItem"] as? Bool == true)
            let kit = try await client.get("/v1/inventory/1003")
            #expect(kit.jsonObject["stockItem"] as? Bool == false)
            #expect(kit.jsonObject["kitItem"] as? Bool == true)
        }
    }

    @Test func duplicateItemNumbersAreRefusedAndUpdatesGoThroughPut() async throws {
        try await withClient { client in
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-3")).status == 201)
            expectRejected(try await client.post("/v1/inventory", Payloads.stockItem("R-3")), "already exists")
            let update = try await client.put("/v1/inventory/R-3", #"{"description": {"value": "Kaffebønner, øko"}}"#)
            #expect(update.status == 204)
            #expect(
                try await client.get("/v1/inventory/R-3").jsonObject["description"] as? String == "Kaffebønner, øko")
            expectRejected(
                try await client.put("/v1/inventory/R-404", #"{"description": {"value": "x"}}"#), "not found",
                status: 404)
            expectRejected(try await client.get("/v1/inventory/R-404"), "not found", status: 404)
            expectRejected(
                try await client.put(
                    "/v1/inventory/R-3", #"{"itemClass": {"value": "IKKELAGER"}, "type": {"value": "NonStockItem"}}"#),
                "cannot move between stock and non-stock")
        }
    }

    @Test func kitSpecificationsFollowVismasKitRules() async throws {
        try await withClient { client in
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-100")).status == 201)
            #expect(try await client.post("/v1/inventory", Payloads.product("1001", kit: false)).status == 201)
            #expect(try await client.post("/v1/inventory", Payloads.product("1002", kit: true)).status == 201)
            expectRejected(
                try await client.post("/v1/KitSpecifications", Payloads.kit("1001", revision: "1", stock: ["R-100"])),
                "is not a kit")
            expectRejected(
                try await client.post(
                    "/v1/KitSpecifications", Payloads.kit("1002", revision: "1", nonStock: ["R-100"])),
                "belongs in stockComponentLines")
            expectRejected(
                try await client.post("/v1/KitSpecifications", Payloads.kit("1002", revision: "1", stock: ["R-999"])),
                "Component 'R-999' does not exist")
            #expect(
                try await client.post("/v1/KitSpecifications", Payloads.kit("1002", revision: "1", stock: ["R-100"]))
                    .status == 201)
            expectRejected(
                try await client.post("/v1/KitSpecifications", Payloads.kit("1002", revision: "1", stock: ["R-100"])),
                "revisions cannot be changed")
            #expect(
                try await client.post(
                    "/v1/KitSpecifications", Payloads.kit("1002", revision: "2", stock: ["R-100", "1001"])
                ).status == 201)
            let spec = try await client.get("/v1/KitSpecifications/1002/2")
            let lines = spec.jsonObject["stockComponentLines"] as? [[String: Any]] ?? []
            #expect(lines.compactMap { $0["componentID"] as? String } == ["R-100", "1001"])
            let list = try await client.get("/v1/KitSpecifications?kitInventoryID=1002&pageNumber=1&pageSize=10")
            #expect(list.jsonObject["totalCount"] as? Int == 2)
        }
    }

    @Test func customersNeedTheRequiredFieldsAndAnExistingClass() async throws {
        try await withClient { client in
            expectRejected(
                try await client.post("/v1/customer", Payloads.customer("K-1", postalCode: nil)),
                "'Postal Code' cannot be empty")
            expectRejected(
                try await client.post("/v1/customer", Payloads.customer("K-1", customerClass: "VIP")),
                "Customer class 'VIP' does not exist")
            expectRejected(
                try await client.post(
                    "/v1/customer", #"{"name": {"value": "Uden nummer"}, "customerClassId": {"value": "PRIVAT"}}"#),
                "'Customer ID' cannot be empty")
            #expect(try await client.post("/v1/customer", Payloads.customer("K-1")).status == 201)
            expectRejected(try await client.post("/v1/customer", Payloads.customer("K-1")), "already exists")
            #expect(try await client.put("/v1/customer/K-1", #"{"name": {"value": "Kunde ét"}}"#).status == 204)
            let customer = try await client.get("/v1/customer/K-1").jsonObject
            #expect(customer["name"] as? String == "Kunde ét")
            #expect((customer["mainAddress"] as? [String: Any])?["postalCode"] as? String == "5000")
        }
    }

    @Test func paymentsNeedAnActiveMethodAKnownCustomerAndAnOpenPeriod() async throws {
        try await withClient { client in
            #expect(try await client.post("/v1/customer", Payloads.customer("K-2")).status == 201)
            expectRejected(
                try await client.post("/v1/customerPayment", Payloads.payment("P-1", customer: "K-2", method: "SWIPP")),
                "'SWIPP' is inactive")
            expectRejected(
                try await client.post(
                    "/v1/customerPayment", Payloads.payment("P-1", customer: "K-2", method: "CHEQUE")),
                "'CHEQUE' does not exist")
            expectRejected(
                try await client.post("/v1/customerPayment", Payloads.payment("P-1", customer: "K-404")),
                "Customer 'K-404' does not exist")
            expectRejected(
                try await client.post(
                    "/v1/customerPayment", Payloads.payment("P-1", customer: "K-2", date: "2025-09-15")),
                "09-2025 is closed")
            let created = try await client.post("/v1/customerPayment", Payloads.payment("P-1", customer: "K-2"))
            #expect(created.status == 201)
            #expect(created[header: "location"]?.hasSuffix("/v1/customerPayment/P-1") == true)
            expectRejected(
                try await client.post("/v1/customerPayment", Payloads.payment("P-1", customer: "K-2")),
                "Document number 'P-1' already exists")
            // A refund with nothing to apply to is refused (PaymentAndCustomerRuleTests covers applied refunds).
            expectRejected(
                try await client.post(
                    "/v1/customerPayment", Payloads.payment("P-2", customer: "K-2", type: "Refund", amount: 150)),
                "must be fully applied")
            let release = try await client.post(
                "/v1/customerPayment/P-1/action/release", #"{"type": {"value": "Payment"}}"#)
            #expect(release.status == 200)
            #expect(release.jsonObject["actionResult"] as? String == "Done")
            expectRejected(
                try await client.post("/v1/customerPayment/P-1/action/release", #"{"type": {"value": "Payment"}}"#),
                "cannot be released")
        }
    }

    @Test func purchaseOrdersNeedAKnownSupplierAndStockItems() async throws {
        try await withClient { client in
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-100")).status == 201)
            #expect(try await client.post("/v1/inventory", Payloads.product("1002", kit: true)).status == 201)
            expectRejected(
                try await client.post(
                    "/v1/purchaseorder", Payloads.purchaseOrder("PO-1", supplier: "59999", item: "R-100")),
                "Supplier '59999' does not exist")
            expectRejected(
                try await client.post("/v1/purchaseorder", Payloads.purchaseOrder("PO-1", item: "1002")),
                "'1002' is not a stock item")
            #expect(
                try await client.post("/v1/purchaseorder", Payloads.purchaseOrder("PO-1", item: "R-100")).status == 201)
            expectRejected(
                try await client.post("/v1/purchaseorder", Payloads.purchaseOrder("PO-1", item: "R-100")),
                "already exists")
            let order = try await client.get("/v1/purchaseorder/PO-1").jsonObject
            #expect((order["supplier"] as? [String: Any])?["name"] as? String == "Hørkram A/S")
            #expect(order["orderTotal"] as? Double == 947.5)
        }
    }

    @Test func journalsMustBalanceInAnOpenPeriodOnAnActiveBranch() async throws {
        try await withClient { client in
            expectRejected(
                try await client.post("/v2/journaltransaction", Payloads.journal("J-1", debit: 125.01)),
                "out of balance")
            expectRejected(
                try await client.post("/v2/journaltransaction", Payloads.journal("J-1", period: "202509")),
                "09-2025 is closed")
            expectRejected(
                try await client.post("/v2/journaltransaction", Payloads.journal("J-1", branch: "3")), "Branch '3'")
            expectRejected(
                try await client.post("/v2/journaltransaction", Payloads.journal("J-1", account: "9999")),
                "Account '9999'")
            #expect(try await client.post("/v2/journaltransaction", Payloads.journal("J-1")).status == 201)
            expectRejected(try await client.post("/v2/journaltransaction", Payloads.journal("J-1")), "already exists")
            let journal = try await client.get("/v2/journaltransaction/J-1").jsonObject
            #expect(journal["debitTotal"] as? Double == 125)
            #expect(journal["status"] as? String == "Balanced")
            #expect(try await client.post("/v2/journaltransaction/J-1/action/release", "{}").status == 200)
            #expect(try await client.get("/v2/journaltransaction/J-1").jsonObject["status"] as? String == "Released")
            #expect(try await client.get("/v2/journaltransaction").status == 400)
            #expect(try await client.get("/v2/journaltransaction?periodId=202611").jsonArray.count == 1)
        }
    }
}

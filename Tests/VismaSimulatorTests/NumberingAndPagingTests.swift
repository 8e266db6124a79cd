import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaSimulator

/// Numbering series (`behaviour.numbering`), `GET /v1/numberSequence`, page caps and ids with reserved characters.
@Suite struct NumberingAndPagingTests {
    func withClient(
        _ behaviour: CompanyFixture.Behaviour = .init(), _ body: (VismaTestClient) async throws -> Void
    ) async throws {
        var fixture = CompanyFixture.sampleVenue
        fixture.behaviour = behaviour
        try await RunningSimulator.with(SimulatorConfiguration(fixture: fixture, rateLimit: nil)) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            try await body(client)
        }
    }

    static func automatic(_ kinds: String...) -> CompanyFixture.Behaviour {
        var behaviour = CompanyFixture.Behaviour()
        for kind in kinds { behaviour.numbering[kind] = .automatic }
        return behaviour
    }

    /// The id in a `Location` header: its last path segment, percent-decoded.
    func locationNumber(_ response: HTTPResponse) -> String? {
        response[header: "location"]?.split(separator: "/").last.map {
            String($0).removingPercentEncoding ?? String($0)
        }
    }

    @Test func aSeriesAllowingManualNumbersOnImportKeepsOursOnlyWithOverrideNumberSeries() async throws {
        try await withClient { client in
            #expect(try await client.post("/v1/customer", Payloads.customer("K-1")).status == 201)
            let kept = try await client.post("/v1/customerPayment", Payloads.payment("P-77", customer: "K-1"))
            #expect(kept.status == 201)
            #expect(locationNumber(kept) == "P-77")
            let withoutOverride = Payloads.payment("P-78", customer: "K-1").replacingOccurrences(
                of: #""overrideNumberSeries": {"value": true}"#, with: #""overrideNumberSeries": {"value": false}"#)
            let numbered = try await client.post("/v1/customerPayment", withoutOverride)
            #expect(numbered.status == 201)
            #expect(locationNumber(numbered) == "000001")
            let taken = try await client.post("/v1/customerPayment", Payloads.payment("P-77", customer: "K-1"))
            #expect(taken.status == 400)
            #expect(taken.message.contains("Document number 'P-77' already exists"))
        }
    }

    @Test func anAutomaticSeriesReplacesOurNumberAndNamesItsOwnInLocation() async throws {
        try await withClient(Self.automatic("customer", "customerPayment", "purchaseOrder", "journalTransaction")) {
            client in
            let customer = try await client.post("/v1/customer", Payloads.customer("K-1"))
            #expect(customer.status == 201)
            let customerNumber = try #require(locationNumber(customer))
            #expect(customerNumber == "000001")
            #expect(try await client.get("/v1/customer/K-1").status == 404)
            #expect(try await client.get("/v1/customer/\(customerNumber)").status == 200)

            // A payment naming the customer by our number is refused; by Visma's it is taken, and numbered by the series.
            #expect(
                try await client.post("/v1/customerPayment", Payloads.payment("P-1", customer: "K-1")).message.contains(
                    "Customer 'K-1' does not exist"))
            let payment = try await client.post(
                "/v1/customerPayment", Payloads.payment("P-1", customer: customerNumber))
            #expect(payment.status == 201)
            let paymentNumber = try #require(locationNumber(payment))
            #expect(paymentNumber != "P-1")
            let stored = try await client.get("/v1/customerPayment/\(paymentNumber)").jsonObject
            #expect(stored["paymentRef"] as? String == "P-1")

            let journal = try await client.post("/v2/journaltransaction", Payloads.journal("POS20261128-1"))
            #expect(journal.status == 201)
            #expect(locationNumber(journal) == "000001")
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-1")).status == 201)
            let order = try await client.post("/v1/purchaseorder", Payloads.purchaseOrder("PO-1", item: "R-1"))
            #expect(order.status == 201)
            #expect(locationNumber(order) == "000001")
        }
    }

    @Test func numberSequenceListsEverySeriesAsNumberingDtoWithoutTheImportFlag() async throws {
        try await withClient(Self.automatic("journalTransaction")) { client in
            #expect(try await client.post("/v2/journaltransaction", Payloads.journal("X")).status == 201)
            let series = try await client.get("/v1/numberSequence").jsonArray
            #expect(
                Set(series.compactMap { $0["numberingId"] as? String }) == [
                    "CUSTOMER", "ARPAYMENT", "POORDER", "BATCH",
                ])
            let batch = try #require(series.first { $0["numberingId"] as? String == "BATCH" })
            let sequence = try #require((batch["sequence"] as? [[String: Any]])?.first)
            #expect(sequence["lastNbr"] as? String == "000001")
            #expect(sequence["nextNumber"] as? String == "000002")
            #expect(series.allSatisfy { $0.keys.allSatisfy { !$0.lowercased().contains("import") } })
        }
    }

    @Test func aPageIsLimitedToTheEndpointsCapWhichTheMetadataReports() async throws {
        var behaviour = CompanyFixture.Behaviour()
        behaviour.maxPageSize = ["supplier": 3]
        try await withClient(behaviour) { client in
            let page = try await client.get("/v1/supplier?pageNumber=2&pageSize=100").jsonArray
            #expect(page.count == 3)
            #expect(page.first?["number"] as? String == "50004")
            let metadata = page.first?["metadata"] as? [String: Any]
            #expect(metadata?["maxPageSize"] as? Int == 3)
            #expect(metadata?["totalCount"] as? Int == 7)
        }
    }

    @Test func anEndpointSetToOmitMetadataAnswersBareElements() async throws {
        var behaviour = CompanyFixture.Behaviour()
        behaviour.pageMetadataOmitted = ["supplier"]
        try await withClient(behaviour) { client in
            let page = try await client.get("/v1/supplier?pageNumber=1&pageSize=2").jsonArray
            #expect(page.count == 2)
            #expect(page.allSatisfy { $0["metadata"] == nil })
        }
    }

    @Test(arguments: ["K/1", "K 1", "K+1", "K%1", "K#1", "K?1", "A/B +%#?", "RØD-1"])
    func anIdWithReservedCharactersRoundTripsThroughLocationAndTheItemPath(_ number: String) async throws {
        try await withClient { client in
            let item = try await client.post("/v1/inventory", Payloads.stockItem(number))
            #expect(item.status == 201, "\(item.message)")
            #expect(locationNumber(item) == number)
            let fetched = try await client.get("/v1/inventory/\(PercentEncoding.encode(number))")
            #expect(fetched.status == 200)
            #expect(fetched.jsonObject["inventoryNumber"] as? String == number)
            let customer = try await client.post("/v1/customer", Payloads.customer(number))
            #expect(customer.status == 201, "\(customer.message)")
            #expect(locationNumber(customer) == number)
            #expect(
                try await client.get("/v1/customer/\(PercentEncoding.encode(number))").jsonObject["number"] as? String
                    == number)
        }
    }

    @Test func aCountedFaultScopedToAMethodAndPathHitsOnlyThoseRequests() throws {
        let plan = try FaultPlan(parsing: "lost:#1/POST /v1/customer,500:1/GET /v1/customer")
        #expect(plan.description == "lost:#1/POST /v1/customer,500:1.0/GET /v1/customer")
        #expect(throws: FaultSpecError.self) { try FaultPlan(parsing: "500:0.7/GET,503:0.7") }
        #expect(throws: FaultSpecError.self) { try FaultPlan(parsing: "lost:#x") }
    }
}

import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaSimulator

/// Customer payments as a real company takes them: refunds applied in full to released deposits, release with its
/// body and answer; and a customer PUT that changes only what it sends.
@Suite struct PaymentAndCustomerRuleTests {
    func withClient(_ body: (VismaTestClient) async throws -> Void) async throws {
        try await withClient(in: .sampleVenue, body)
    }

    func withClient(in fixture: CompanyFixture, _ body: (VismaTestClient) async throws -> Void) async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: fixture, rateLimit: nil)) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            #expect(try await client.post("/v1/customer", Payloads.customer("K-1")).status == 201)
            #expect(try await client.post("/v1/customer", Payloads.customer("K-2")).status == 201)
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

    func release(_ client: VismaTestClient, _ number: String, _ type: String) async throws -> [String: Any] {
        let answer = try await client.post(
            "/v1/customerPayment/\(number)/action/release", #"{"type": {"value": "\#(type)"}}"#)
        #expect(answer.status == 200, "\(answer.message)")
        return answer.jsonObject
    }

    @Test func aRefundMustBeFullyAppliedToTheCustomersReleasedDepositsWithEnoughBalance() async throws {
        try await withClient { client in
            #expect(
                try await client.post(
                    "/v1/customerPayment", Payloads.payment("P-1", customer: "K-1", type: "Prepayment")
                ).status == 201)
            let refund = { (amount: Double, lines: [(String, String, Double)], customer: String) in
                Payloads.refund("R-1", customer: customer, amount: amount, lines: lines)
            }
            expectRejected(
                try await client.post("/v1/customerPayment", refund(300, [], "K-1")), "must be fully applied")
            expectRejected(
                try await client.post("/v1/customerPayment", refund(300, [("Prepayment", "P-1", 300)], "K-1")),
                "is not released")
            #expect(try await release(client, "P-1", "Prepayment")["actionResult"] as? String == "Done")
            let deposit = try await client.get("/v1/customerPayment/P-1").jsonObject
            #expect(deposit["status"] as? String == "Open")
            #expect(deposit["availableBalance"] as? Double == 500)
            expectRejected(
                try await client.post("/v1/customerPayment", refund(600, [("Prepayment", "P-1", 600)], "K-1")),
                "exceeds the balance")
            expectRejected(
                try await client.post("/v1/customerPayment", refund(300, [("Prepayment", "P-1", 200)], "K-1")),
                "must be fully applied")
            expectRejected(
                try await client.post("/v1/customerPayment", refund(300, [("Prepayment", "P-1", 300)], "K-2")),
                "belongs to another customer")
            expectRejected(
                try await client.post("/v1/customerPayment", refund(300, [("Payment", "P-1", 300)], "K-1")),
                "AdjdRefNbr 'P-1' cannot be found")
            expectRejected(
                try await client.post("/v1/customerPayment", refund(300, [("Prepayment", "P-9", 300)], "K-1")),
                "AdjdRefNbr 'P-9' cannot be found")

            #expect(
                try await client.post("/v1/customerPayment", refund(300, [("Prepayment", "P-1", 300)], "K-1")).status
                    == 201)
            #expect(try await release(client, "R-1", "Refund")["actionResult"] as? String == "Done")
            #expect(try await client.get("/v1/customerPayment/R-1").jsonObject["status"] as? String == "Closed")
            let partly = try await client.get("/v1/customerPayment/P-1").jsonObject
            #expect(partly["status"] as? String == "Open")
            #expect(partly["availableBalance"] as? Double == 200)
            let rest = Payloads.refund("R-2", customer: "K-1", amount: 200, lines: [("Prepayment", "P-1", 200)])
            #expect(try await client.post("/v1/customerPayment", rest).status == 201)
            #expect(try await release(client, "R-2", "Refund")["actionResult"] as? String == "Done")
            let used = try await client.get("/v1/customerPayment/P-1").jsonObject
            #expect(used["status"] as? String == "Closed")
            #expect(used["availableBalance"] as? Double == 0)
            #expect(try await client.get("/v1/customerPayment?customer=K-1&status=Open").jsonArray.isEmpty)
        }
    }

    @Test func releaseTakesItsBodyNamingTheDocumentsType() async throws {
        try await withClient { client in
            #expect(
                try await client.post(
                    "/v1/customerPayment", Payloads.payment("P-1", customer: "K-1", type: "Prepayment")
                ).status == 201)
            expectRejected(
                try await client.send("POST", "/v1/customerPayment/P-1/action/release"),
                "not recognized as ReleasePaymentActionDto")
            expectRejected(
                try await client.post("/v1/customerPayment/P-1/action/release", #"{"type": "Prepayment"}"#),
                "must be an object")
            expectRejected(
                try await client.post("/v1/customerPayment/P-1/action/release", #"{"type": {"value": "Payment"}}"#),
                "type = Payment not found", status: 404)
            #expect(try await release(client, "P-1", "Prepayment")["actionResult"] as? String == "Done")
        }
    }

    /// Checked again at release: the second refund on the same balance, and a cash account made inactive, answer
    /// `Failed` with Visma's text in `errorInfo` and leave the document unreleased.
    @Test func aReleaseThatBreaksARuleAnswersFailedWithVismasText() async throws {
        try await withClient { client in
            #expect(
                try await client.post(
                    "/v1/customerPayment", Payloads.payment("P-1", customer: "K-1", type: "Prepayment")
                ).status == 201)
            #expect(try await release(client, "P-1", "Prepayment")["actionResult"] as? String == "Done")
            for number in ["R-1", "R-2"] {
                let body = Payloads.refund(number, customer: "K-1", amount: 300, lines: [("Prepayment", "P-1", 300)])
                #expect(try await client.post("/v1/customerPayment", body).status == 201)
            }
            #expect(try await release(client, "R-1", "Refund")["actionResult"] as? String == "Done")
            let second = try await release(client, "R-2", "Refund")
            #expect(second["actionResult"] as? String == "Failed")
            #expect(
                (second["errorInfo"] as? String)?.contains("exceeds the balance of Prepayment P-1 (200.00)") == true,
                "\(second)")
            #expect(try await client.get("/v1/customerPayment/R-2").jsonObject["status"] as? String == "Balanced")

            #expect(
                try await client.post(
                    "/v1/customerPayment", Payloads.payment("P-2", customer: "K-1", method: "DANKORT")
                ).status == 201)
            let inactive =
                #"{"accounts": [{"number": "5520", "description": "Kortindløsning (Nets)", "type": "Asset", "active": false}]}"#
            #expect(try await client.send("POST", "/_simulator/fixture", json: inactive, record: false).status == 200)
            let failed = try await release(client, "P-2", "Payment")
            #expect(failed["actionResult"] as? String == "Failed")
            #expect((failed["errorInfo"] as? String)?.contains("Account '5520' is inactive") == true, "\(failed)")
        }
    }

    @Test func everyNthReleaseIsQueuedAndDoneWhenTheDocumentIsLookedAtAgain() async throws {
        var company = CompanyFixture.sampleVenue
        company.behaviour.queuedReleaseEvery = 2
        try await withClient(in: company) { (client: VismaTestClient) async throws -> Void in
            for number in ["P-1", "P-2"] {
                #expect(
                    try await client.post(
                        "/v1/customerPayment", Payloads.payment(number, customer: "K-1", type: "Prepayment")
                    ).status == 201)
            }
            #expect(try await release(client, "P-1", "Prepayment")["actionResult"] as? String == "Done")
            #expect(try await release(client, "P-2", "Prepayment")["actionResult"] as? String == "Queued")
            #expect(try await client.get("/v1/customerPayment?customer=K-1&status=Open").jsonArray.count == 1)
            #expect(try await client.get("/v1/customerPayment/P-2").jsonObject["status"] as? String == "Open")
            #expect(try await client.post("/v2/journaltransaction", Payloads.journal("J-1")).status == 201)
            #expect(try await client.post("/v2/journaltransaction", Payloads.journal("J-2")).status == 201)
            #expect(
                try await client.post("/v2/journaltransaction/J-1/action/release", "").jsonObject["actionResult"]
                    as? String == "Done")
            #expect(
                try await client.post("/v2/journaltransaction/J-2/action/release", "").jsonObject["actionResult"]
                    as? String == "Queued")
            #expect(
                try await client.post("/v2/journaltransaction/J-2/action/release", "").jsonObject["actionResult"]
                    as? String == "Done")
            #expect(try await client.get("/v2/journaltransaction/J-2").jsonObject["status"] as? String == "Released")
        }
    }

    /// "When using PUT, you only send the fields you want to update": omitted fields stay as they were; class
    /// values override what the bookkeeper set only when asked to (`overrideWithClassValues: true`).
    @Test func aCustomerPutChangesOnlyWhatItSendsAndClassValuesOverwriteTheBookkeepersTerms() async throws {
        try await withClient { client in
            #expect(
                (try await client.get("/v1/customer/K-1").jsonObject["creditTerms"] as? [String: Any])?["id"] as? String
                    == "14D")
            let bookkeeper = #"{"creditTermsId": {"value": "30D"}, "status": {"value": "OnHold"}}"#
            #expect(try await client.put("/v1/customer/K-1", bookkeeper).status == 204)
            let move = #"{"mainAddress": {"value": {"city": {"value": "Svendborg"}}}}"#
            #expect(try await client.put("/v1/customer/K-1", move).status == 204)
            let moved = try await client.get("/v1/customer/K-1").jsonObject
            let address = moved["mainAddress"] as? [String: Any]
            #expect(address?["city"] as? String == "Svendborg")
            #expect(address?["addressLine1"] as? String == "Havnegade 12")
            #expect(address?["postalCode"] as? String == "5000")
            #expect(moved["status"] as? String == "OnHold")
            #expect((moved["creditTerms"] as? [String: Any])?["id"] as? String == "30D")
            #expect((moved["mainContact"] as? [String: Any])?["email"] as? String == "kunde@example.dk")

            let reset = #"{"overrideWithClassValues": true, "customerClassId": {"value": "ERHVERV"}}"#
            #expect(try await client.put("/v1/customer/K-1", reset).status == 204)
            #expect(
                (try await client.get("/v1/customer/K-1").jsonObject["creditTerms"] as? [String: Any])?["id"] as? String
                    == "14D")

            let bodies =
                try await client.send("GET", "/_simulator/bodies", record: false).jsonObject["bodies"]
                as? [[String: Any]] ?? []
            let puts = bodies.filter { $0["method"] as? String == "PUT" }
            #expect(puts.count == 3)
            #expect((puts.dropFirst().first?["body"] as? [String: Any]).map { Array($0.keys) } == ["mainAddress"])
        }
    }
}

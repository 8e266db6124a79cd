import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaSimulator

@Suite struct PagingTests {
    @Test func listsArePagedWithVismasMetadata() async throws {
        try await RunningSimulator.with { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            for index in 1...12 {
                #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-\(100 + index)")).status == 201)
            }
            var seen: [String] = []
            for page in 1...3 {
                let response = try await client.get("/v1/inventory?pageNumber=\(page)&pageSize=5")
                let items = response.jsonArray
                #expect(items.count == [5, 5, 2][page - 1])
                for item in items {
                    let metadata = item["metadata"] as? [String: Any]
                    #expect(metadata?["totalCount"] as? Int == 12)
                    #expect(metadata?["maxPageSize"] as? Int == 5000)
                    seen.append(item["inventoryNumber"] as? String ?? "")
                }
            }
            #expect(seen == (1...12).map { "R-\(100 + $0)" })
            #expect(try await client.get("/v1/inventory?pageNumber=4&pageSize=5").jsonArray.isEmpty)
            #expect(try await client.get("/v1/inventory?inventoryNumber=R-107").jsonArray.count == 1)
            #expect(try await client.get("/v1/inventory?pageNumber=0").status == 400)
        }
    }
}

@Suite struct RateLimitTests {
    @Test func everyAnswerCarriesTheLimitAndTheExcessGets429WithRetryAfter() async throws {
        let configuration = SimulatorConfiguration(rateLimit: RateLimit(requests: 3, windowSeconds: 3600))
        try await RunningSimulator.with(configuration) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            var remaining: [String] = []
            for _ in 1...3 {
                let response = try await client.get("/v1/branch")
                #expect(response.status == 200)
                #expect(response[header: "X-RateLimit-Limit"] == "3")
                #expect(response[header: "X-RateLimit-Policy"] == "4-fixed-window")
                remaining.append(response[header: "X-RateLimit-Remaining"] ?? "")
            }
            #expect(remaining == ["2", "1", "0"])
            let limited = try await client.get("/v1/branch")
            #expect(limited.status == 429)
            let retryAfter = try #require(limited[header: "Retry-After"].flatMap(Int.init))
            #expect(retryAfter > 0 && retryAfter <= 3600)
            #expect(limited[header: "X-RateLimit-Remaining"] == "0")
        }
    }
}

@Suite struct FaultInjectionTests {
    /// Sends `count` requests and returns the simulator's log of them.
    func drive(
        _ spec: String, seed: UInt64, count: Int, post: Bool = false
    ) async throws -> (log: [RequestLogEntry], transportErrors: Int, created: Int) {
        let configuration = SimulatorConfiguration(rateLimit: nil, faults: try FaultPlan(parsing: spec), seed: seed)
        return try await RunningSimulator.with(configuration) { simulator in
            // Fresh connections: libcurl would otherwise re-send once, by itself, on a reused connection that died.
            let client = try VismaTestClient(baseURL: simulator.baseURL, reuseConnections: false)
            try await client.authenticate()
            var transportErrors = 0
            for index in 0..<count {
                do {
                    if post {
                        _ = try await client.send(
                            "POST", "/v1/inventory", json: Payloads.stockItem("F-\(index)"), record: false)
                    } else {
                        _ = try await client.send("GET", "/v1/branch", record: false)
                    }
                } catch is HTTPTransportError {
                    transportErrors += 1
                }
            }
            let log = try await adminLog(simulator)
            let entities = try await client.send("GET", "/_simulator/entities?kind=inventory", record: false)
            let created = (entities.jsonObject["inventory"] as? [String: Any])?["count"] as? Int ?? -1
            return (log.filter { $0.path != "/connect/token" }, transportErrors, created)
        }
    }

    func adminLog(_ simulator: RunningSimulator) async throws -> [RequestLogEntry] {
        let client = try VismaTestClient(baseURL: simulator.baseURL)
        let response = try await client.send("GET", "/_simulator/requests", record: false)
        let entries = response.jsonObject["requests"] as? [[String: Any]] ?? []
        return entries.map {
            RequestLogEntry(
                sequence: $0["sequence"] as? Int ?? 0, method: $0["method"] as? String ?? "",
                path: $0["path"] as? String ?? "",
                status: $0["status"] as? Int ?? 0, fault: $0["fault"] as? String)
        }
    }

    @Test(arguments: ["500", "502", "503", "504"])
    func statusFaultsHappenAtTheConfiguredRateAndRepeatWithTheSeed(code: String) async throws {
        let first = try await drive("\(code):0.2", seed: 7, count: 400)
        let faulted = first.log.filter { $0.fault == code }
        #expect(faulted.allSatisfy { $0.status == Int(code) })
        #expect((56...104).contains(faulted.count), "\(faulted.count) of 400 at rate 0.2")
        let second = try await drive("\(code):0.2", seed: 7, count: 400)
        #expect(second.log.map(\.fault) == first.log.map(\.fault))
        let other = try await drive("\(code):0.2", seed: 8, count: 400)
        #expect(other.log.map(\.fault) != first.log.map(\.fault))
    }

    @Test func droppedConnectionsNeverApplyTheRequest() async throws {
        let run = try await drive("drop:0.25", seed: 3, count: 200, post: true)
        let dropped = run.log.filter { $0.fault == "drop" }.count
        #expect((30...70).contains(dropped), "\(dropped) of 200")
        #expect(run.transportErrors == dropped)
        #expect(run.created == 200 - dropped)
    }

    @Test func lostResponsesAreAppliedAlthoughTheClientSeesAnError() async throws {
        let run = try await drive("lost:0.25", seed: 3, count: 200, post: true)
        let lost = run.log.filter { $0.fault == "lost" }.count
        #expect((30...70).contains(lost), "\(lost) of 200")
        #expect(run.transportErrors == lost)
        #expect(run.created == 200)
    }

    @Test func delaysAnswerNormally() async throws {
        let run = try await drive("delay:0.3@5ms", seed: 5, count: 100)
        let delayed = run.log.filter { $0.fault == "delay" }
        #expect((15...45).contains(delayed.count))
        #expect(delayed.allSatisfy { $0.status == 200 })
        #expect(run.transportErrors == 0)
    }

    @Test func tokenExpiryAnswers401UntilANewTokenIsFetched() async throws {
        let configuration = SimulatorConfiguration(
            rateLimit: nil, faults: try FaultPlan(parsing: "token-expiry:1"), seed: 1)
        try await RunningSimulator.with(configuration) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            #expect(try await client.get("/v1/branch").status == 401)
            let admin = try await client.send("POST", "/_simulator/faults", json: "", record: false)
            #expect(admin.status == 200)
            #expect(try await client.get("/v1/branch").status == 401)  // that token is gone for good
            try await client.authenticate()
            #expect(try await client.get("/v1/branch").status == 200)
        }
    }

    @Test func badFaultSpecsAreRefusedWithTheReason() throws {
        #expect(throws: FaultSpecError.self) { try FaultPlan(parsing: "418:0.1") }
        #expect(throws: FaultSpecError.self) { try FaultPlan(parsing: "503:2") }
        #expect(throws: FaultSpecError.self) { try FaultPlan(parsing: "503:0.6,lost:0.6") }
        #expect(throws: FaultSpecError.self) { try FaultPlan(parsing: "delay:0.1@fast") }
        #expect(
            try FaultPlan(parsing: "503:0.05,lost:0.02,delay:0.1@250ms").description
                == "503:0.05,lost:0.02,delay:0.1@250ms")
    }
}

@Suite struct AdminTests {
    @Test func entitiesRequestsResetAndRuntimeFixtureChanges() async throws {
        try await RunningSimulator.with { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-100")).status == 201)
            // A purchase order to a supplier Visma does not know yet…
            let missing = """
                {"orderType": {"value": "RegularOrder"}, "date": {"value": "2026-11-28T00:00:00"}, "supplier": {"value": "50099"},
                 "lines": [{"operation": "Insert", "inventory": {"value": "R-100"}, "orderQty": {"value": 1}, "unitCost": {"value": 10}, "uom": {"value": "KG"}}]}
                """
            #expect(try await client.post("/v1/purchaseorder", missing).status == 400)
            // …is accepted once the bookkeeper has created the supplier in Visma.
            let added = try await client.send(
                "POST", "/_simulator/fixture",
                json: #"{"suppliers": [{"number": "50099", "name": "Frugt & Grønt Engros", "status": "Active"}]}"#,
                record: false)
            #expect(added.status == 200)
            #expect(try await client.post("/v1/purchaseorder", missing).status == 201)

            let entities = try await client.send("GET", "/_simulator/entities", record: false).jsonObject
            #expect((entities["inventory"] as? [String: Any])?["count"] as? Int == 1)
            #expect((entities["purchaseOrder"] as? [String: Any])?["count"] as? Int == 1)
            #expect((entities["customer"] as? [String: Any])?["count"] as? Int == 0)
            let requests = try await client.send("GET", "/_simulator/requests", record: false).jsonObject
            let statuses = (requests["requests"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? Int }
            #expect(statuses.contains(400) && statuses.contains(201))
            #expect(try await client.send("GET", "/_simulator/entities?kind=nonsense", record: false).status == 400)

            #expect(try await client.send("POST", "/_simulator/reset", json: "", record: false).status == 200)
            let after = try await client.send("GET", "/_simulator/entities?kind=inventory", record: false).jsonObject
            #expect((after["inventory"] as? [String: Any])?["count"] as? Int == 0)
            #expect(try await client.get("/v1/branch").status == 401)  // reset forgets tokens too
        }
    }

    @Test func stateFilePersistsTheCompanyAcrossRestarts() async throws {
        let folder = try TemporaryFolder("simulator-state")
        let configuration = SimulatorConfiguration(statePath: folder.path("state.json"))
        try await RunningSimulator.with(configuration) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-100")).status == 201)
        }
        try await RunningSimulator.with(configuration) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            #expect(try await client.get("/v1/inventory/R-100").status == 200)
            #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-100")).status == 400)
        }
    }
}

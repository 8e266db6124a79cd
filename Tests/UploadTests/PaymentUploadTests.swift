import FlexyVismaCore
import Foundation
import GRDB
import PipelineOperations
import StateStore
import TestSupport
import Testing
import VismaPayloads
import VismaSimulator
import VismaUpload

/// Customer deposits and withdrawals as Visma releases them, over HTTP to the simulator.
@Suite struct PaymentUploadTests {
    /// The sample week's withdrawals: K-1010 takes 500.00 of its 5,000.00 deposit, K-1005 all of its 500.00.
    static let withdrawals = [
        "P-20261127-01": ("P-20261123-02", 4500.0, "Open"), "P-20261128-02": ("P-20261123-01", 0.0, "Closed"),
    ]

    func payments(_ fixture: PipelineFixture) async throws -> [String: [String: Any]] {
        Dictionary(
            uniqueKeysWithValues: try await fixture.entities("customerPayment").map {
                ($0["refNbr"] as? String ?? "", $0)
            })
    }

    func expectWithdrawalsApplied(
        _ fixture: PipelineFixture, released: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let held = try await payments(fixture)
        for (refund, (deposit, balance, status)) in Self.withdrawals {
            let lines = held[refund]?["paymentLines"] as? [[String: Any]] ?? []
            #expect(lines.count == 1, sourceLocation: sourceLocation)
            #expect(lines.first?["refNbr"] as? String == deposit, sourceLocation: sourceLocation)
            #expect(lines.first?["documentType"] as? String == "Prepayment", sourceLocation: sourceLocation)
            #expect(lines.first?["amountPaid"] as? Double == 500, sourceLocation: sourceLocation)
            guard released else { continue }
            #expect(held[refund]?["status"] as? String == "Closed", sourceLocation: sourceLocation)
            #expect(held[deposit]?["availableBalance"] as? Double == balance, sourceLocation: sourceLocation)
            #expect(held[deposit]?["status"] as? String == status, sourceLocation: sourceLocation)
        }
    }

    /// Release POSTs per document: each released once, never asked twice.
    func releaseRequests(_ simulator: RunningSimulator) async throws -> [String: Int] {
        let log = try await VismaTestClient(baseURL: simulator.baseURL).send(
            "GET", "/_simulator/requests", record: false)
        let paths = (log.jsonObject["requests"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }.filter {
            $0.hasSuffix("/action/release")
        }
        return paths.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    @Test func depositsArePrepaymentsAndAWithdrawalIsAppliedToTheCustomersOpenDepositAndReleased() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            // The payload file keeps what transform knew: no documents to apply yet.
            let refunds = try fixture.payloads(id).filter { $0.body["type"]?["value"]?.stringValue == "Refund" }
            #expect(refunds.count == 2)
            #expect(refunds.allSatisfy { $0.body["paymentLines"] == nil })
            let outcome = try await fixture.upload()
            #expect(outcome.exitStatus == .success, "\(outcome.summary)")
            let held = try await payments(fixture)
            #expect(held.values.filter { $0["type"] as? String == "Prepayment" }.count == 9)
            #expect(held.values.allSatisfy { ["Open", "Closed"].contains($0["status"] as? String ?? "") })
            try await expectWithdrawalsApplied(fixture)
            // What each refund was applied to is recorded in the ledger beside it.
            let entries = try UploadLedger(root: fixture.root).entries(batch: id)
            let recorded = refunds.compactMap { entries[$0.sequence]?.applied }
            #expect(recorded.count == 2)
            #expect(recorded.allSatisfy { $0.contains("P-20261123-0") })
            #expect(try await releaseRequests(simulator).values.allSatisfy { $0 == 1 })
        }
    }

    @Test func aWithdrawalWithNoOpenDepositHaltsWithTheFixAndARetryAppliesItToTheBookkeepersPrepayment() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            // K-1005's deposit was made before go-live: FlexyBox has only the withdrawal.
            let queue = try DatabaseQueue(path: fixture.root.resolve("source/flexybox.sqlite").path)
            try await queue.write { db in
                try db.execute(sql: "DELETE FROM customer_payments WHERE payment_id = 'P-20261123-01'")
            }
            try queue.close()
            _ = try await fixture.prepareBatch()
            let first = try await fixture.upload()
            #expect(first.exitStatus == .dataRejected)
            let halt = try #require(try HaltRecord.current(in: fixture.root))
            let message = try #require(halt.first?.message)
            #expect(message.contains("no open deposit for customer K-1005"), "\(message)")
            #expect(
                message.contains("as a Prepayment of at least 500.00 dated 2026-11-28 or earlier and release it"),
                "\(message)")
            #expect(halt.first?.record == "P-20261128-02")
            #expect(halt.first?.rule == "payment.no-open-deposit")
            #expect(first.summary.contains("cannot send customerPayment P-20261128-02"), "\(first.summary)")
            #expect(
                try PipelineStatus.read(root: fixture.root, configuration: fixture.configuration).text.contains(message)
            )
            #expect(try await fixture.entities("journalTransaction").isEmpty)

            // The bookkeeper records the opening balance in Visma and releases it.
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            let opening = #"""
                {"type": {"value": "Prepayment"}, "referenceNumber": {"value": "OB-K-1005"}, "overrideNumberSeries": {"value": true},
                 "customer": {"value": "K-1005"}, "paymentMethod": {"value": "KONTANT"}, "applicationDate": {"value": "2026-11-01T00:00:00"},
                 "paymentRef": {"value": "Saldo før FlexyVisma"}, "paymentAmount": {"value": 800}, "hold": {"value": false}}
                """#
            #expect(try await client.post("/v1/customerPayment", opening).status == 201)
            #expect(
                try await client.post(
                    "/v1/customerPayment/OB-K-1005/action/release", #"{"type": {"value": "Prepayment"}}"#
                ).status == 200)
            let retried = try await fixture.upload(retry: true)
            #expect(retried.exitStatus == .success, "\(retried.summary)")
            let held = try await payments(fixture)
            #expect(
                (held["P-20261128-02"]?["paymentLines"] as? [[String: Any]])?.first?["refNbr"] as? String == "OB-K-1005"
            )
            #expect(held["OB-K-1005"]?["availableBalance"] as? Double == 300)
            #expect(try await fixture.entities("journalTransaction").count == 14)
        }
    }

    @Test func withReleaseOffAWithdrawalWaitsShownInStatusUntilItsDepositIsReleased() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            var fixture = try PipelineFixture(simulator: simulator)
            fixture.configuration.pipeline.releaseDocuments = false
            try fixture.configuration.encoded().write(to: fixture.root.configFile)
            let id = try await fixture.prepareBatch()
            let first = try await fixture.upload()
            #expect(first.exitStatus == .temporaryFailure, "\(first.summary)")
            #expect(
                first.summary.contains("waits until Visma has released deposit(s) P-20261123-02"), "\(first.summary)")
            #expect(try HaltRecord.current(in: fixture.root) == nil)
            let status = try PipelineStatus.read(root: fixture.root, configuration: fixture.configuration)
            #expect(status.waiting.count == 2)
            #expect(status.text.contains("Waiting for Visma:"))
            #expect(
                status.text.contains(
                    "\(id) customerPayment P-20261128-02: withdrawal of 500.00 for customer K-1005 waits"),
                "\(status.text)")
            #expect(try await fixture.entities("journalTransaction").count == 14)
            #expect(try await payments(fixture)["P-20261128-02"] == nil)

            // The bookkeeper reviews and releases the deposits in Visma; the next run applies the withdrawals.
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            for deposit in ["P-20261123-01", "P-20261123-02"] {
                #expect(
                    try await client.post(
                        "/v1/customerPayment/\(deposit)/action/release", #"{"type": {"value": "Prepayment"}}"#
                    ).status == 200)
            }
            let second = try await fixture.upload()
            #expect(second.exitStatus == .success, "\(second.summary)")
            try await expectWithdrawalsApplied(fixture, released: false)
            #expect(try PipelineStatus.read(root: fixture.root, configuration: fixture.configuration).waiting.isEmpty)
        }
    }

    @Test func aFailedReleaseHaltsWithVismasTextAndARetryReleasesEachDocumentOnce() async throws {
        var company = CompanyFixture.sampleVenue
        let mobilePay = try #require(company.accounts.firstIndex { $0.number == "5530" })
        company.accounts[mobilePay].active = false
        try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            _ = try await fixture.prepareBatch()
            let first = try await fixture.upload()
            #expect(first.exitStatus == .dataRejected, "\(first.summary)")
            let halt = try #require(try HaltRecord.current(in: fixture.root))
            let message = try #require(halt.first?.message)
            #expect(message.hasPrefix("release refused: VismaId: "), "\(message)")
            #expect(message.contains("Account '5530' is inactive"), "\(message)")
            #expect(halt.first?.record == "P-20261124-01")

            let client = try VismaTestClient(baseURL: simulator.baseURL)
            let active =
                #"{"accounts": [{"number": "5530", "description": "MobilePay", "type": "Asset", "active": true}]}"#
            #expect(try await client.send("POST", "/_simulator/fixture", json: active, record: false).status == 200)
            let retried = try await fixture.upload(retry: true)
            #expect(retried.exitStatus == .success, "\(retried.summary)")
            try await expectWithdrawalsApplied(fixture)
            let releases = try await releaseRequests(simulator)
            #expect(releases["/v1/customerPayment/P-20261124-01/action/release"] == 2)  // failed, then done
            #expect(
                releases.filter { $0.key != "/v1/customerPayment/P-20261124-01/action/release" }.values.allSatisfy {
                    $0 == 1
                })
        }
    }

    @Test func aQueuedReleaseIsSettledOnALaterRunWithoutAskingTwice() async throws {
        var company = CompanyFixture.sampleVenue
        company.behaviour.queuedReleaseEvery = 4
        try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            let secret = ClientSecret(value: ClientSecret.simulatorDemoSecret)
            let first = try await UploadStage(
                root: fixture.root, configuration: fixture.configuration, secret: secret, releaseLooks: 0
            ).run()
            #expect(first.exitStatus == .temporaryFailure, "\(first.summary)")
            #expect(first.summary.contains("Visma has not finished releasing"), "\(first.summary)")
            let waiting = try PipelineStatus.read(root: fixture.root, configuration: fixture.configuration).waiting
            #expect(waiting.contains { $0.contains("its release is not confirmed yet") }, "\(waiting)")

            var runs = 1
            var last = first
            while last.exitStatus != .success, runs < 6 {
                runs += 1
                last = try await UploadStage(
                    root: fixture.root, configuration: fixture.configuration, secret: secret, releaseLooks: 0
                ).run()
            }
            #expect(last.exitStatus == .success, "\(last.summary)")
            #expect(runs > 1)
            try await expectWithdrawalsApplied(fixture)
            let journals = try await fixture.entities("journalTransaction")
            #expect(journals.count == 14)
            #expect(journals.allSatisfy { $0["status"] as? String == "Released" })
            #expect(try await releaseRequests(simulator).values.allSatisfy { $0 == 1 })
            let entries = try UploadLedger(root: fixture.root).entries(batch: id)
            #expect(entries.values.allSatisfy { $0.state == .done })
        }
    }

    /// The state a crash leaves: deposits Visma created while the ledger still says `sending`, and one recorded done
    /// whose release was never asked for. The next run finds them, releases each once, and goes on.
    @Test func aCrashBetweenCreateAndReleaseIsCompletedOnTheNextRun() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            let records = try fixture.payloads(id)
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            // Customers first (the deposits need them), then the deposits as the crashed run sent them.
            let customers = records.filter { $0.group == .customers }
            let deposits = records.filter {
                $0.group == .customerPayments && $0.body["type"]?["value"]?.stringValue == "Prepayment"
            }
            for record in customers + deposits {
                #expect(try await client.post(record.path, record.bodyText).status == 201)
            }
            do {
                let ledger = try UploadLedger(root: fixture.root)
                try ledger.prepare(batch: id, records: records)
                let done = {
                    (
                        record: PayloadRecord
                    ) -> (sequence: Int, state: UploadLedger.State, vismaId: String?, message: String?) in
                    (record.sequence, .done, record.key, nil)
                }
                try ledger.record(batch: id, customers.map(done))
                try ledger.markSending(batch: id, sequences: deposits.map(\.sequence))
                try ledger.record(batch: id, [done(deposits[0])])
            }
            let outcome = try await fixture.upload()
            #expect(outcome.exitStatus == .success, "\(outcome.summary)")
            #expect(outcome.manifest?.upload?.recovered == deposits.count - 1)
            try await expectWithdrawalsApplied(fixture)
            let held = try await payments(fixture)
            #expect(deposits.allSatisfy { ["Open", "Closed"].contains(held[$0.key]?["status"] as? String ?? "") })
            #expect(try await releaseRequests(simulator).values.allSatisfy { $0 == 1 })
            try await FaultAndCrashTests().expectExactlyOnce(fixture, id)
        }
    }
}

/// A customer changed in FlexyBox is sent with only what changed; what the bookkeeper set in Visma stays.
@Suite struct CustomerUpdateTests {
    @Test func aChangedCustomersPutCarriesOnlyTheChangedFieldsAndKeepsWhatTheBookkeeperSet() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            _ = try await fixture.prepareBatch()
            #expect(try await fixture.upload().exitStatus == .success)
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            #expect(
                try await client.put(
                    "/v1/customer/K-1001", #"{"creditTermsId": {"value": "30D"}, "status": {"value": "OnHold"}}"#
                ).status == 204)
            #expect(try await client.put("/v1/customer/K-1003", #"{"creditTermsId": {"value": "30D"}}"#).status == 204)

            let queue = try DatabaseQueue(path: fixture.root.resolve("source/flexybox.sqlite").path)
            try await queue.write { db in
                try db.execute(
                    sql: """
                        UPDATE customers SET city = 'Odense SØ', email = 'kasse@havnebowl.dk', modified_at = '2026-11-29T09:00:00+01:00'
                        WHERE customer_number = 'K-1001'
                        """)
                try db.execute(
                    sql:
                        "UPDATE customers SET modified_at = '2026-11-29T09:00:00+01:00' WHERE customer_number = 'K-1002'"
                )
                try db.execute(
                    sql:
                        "UPDATE customers SET customer_class = 'FORENING', modified_at = '2026-11-29T09:00:00+01:00' WHERE customer_number = 'K-1003'"
                )
            }
            try queue.close()
            let second = try await fixture.prepareBatch()
            let payloads = try fixture.payloads(second)
            #expect(
                payloads.map { "\($0.method) \($0.kind) \($0.key)" } == ["PUT customer K-1001", "PUT customer K-1003"])
            let transform = try StageManifest.decode(
                Data(contentsOf: fixture.root.batchFolder(second).appendingPathComponent("transform.manifest.json")))
            #expect(transform.counts["customer.unchanged"] == 1)
            let expected =
                #"{"mainAddress":{"value":{"city":{"value":"Odense SØ"}}},"mainContact":{"value":{"email":{"value":"kasse@havnebowl.dk"}}}}"#
            #expect(payloads.first?.bodyText == expected)
            // A new class keeps the customer's own settings.
            #expect(
                payloads.last?.bodyText == #"{"customerClassId":{"value":"FORENING"},"overrideWithClassValues":false}"#)

            #expect(try await fixture.upload().exitStatus == .success)
            let bodies =
                try await client.send("GET", "/_simulator/bodies", record: false).jsonObject["bodies"]
                as? [[String: Any]] ?? []
            let sent = try #require(
                bodies.last { $0["method"] as? String == "PUT" && $0["path"] as? String == "/v1/customer/K-1001" })
            #expect(Set((sent["body"] as? [String: Any])?.keys.map { $0 } ?? []) == ["mainAddress", "mainContact"])
            let held = try await client.get("/v1/customer/K-1001").jsonObject
            #expect((held["mainAddress"] as? [String: Any])?["city"] as? String == "Odense SØ")
            #expect((held["mainAddress"] as? [String: Any])?["addressLine1"] as? String == "Havnegade 12")
            #expect((held["mainContact"] as? [String: Any])?["phone1"] as? String == "+45 66 12 34 56")
            #expect(held["status"] as? String == "OnHold")
            #expect((held["creditTerms"] as? [String: Any])?["id"] as? String == "30D")
            let reclassed = try await client.get("/v1/customer/K-1003").jsonObject
            #expect((reclassed["customerClass"] as? [String: Any])?["id"] as? String == "FORENING")
            #expect((reclassed["creditTerms"] as? [String: Any])?["id"] as? String == "30D")
        }
    }
}

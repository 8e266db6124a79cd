import FlexyVismaCore
import Foundation
import GRDB
import StateStore
import TestSupport
import Testing
import VismaPayloads
import VismaSimulator
import VismaUpload

/// A Visma company that numbers documents itself: our keys survive in the fields Visma keeps, the
/// ledger holds Visma's numbers, references are resolved at send time, and lost answers are recovered by our key.
@Suite struct NumberingUploadTests {
    static let numberedKinds = ["customer", "customerPayment", "purchaseOrder", "journalTransaction"]

    static func automaticCompany(faults: FaultPlan = .none, seed: UInt64 = 12) -> SimulatorConfiguration {
        var fixture = CompanyFixture.sampleVenue
        for kind in numberedKinds { fixture.behaviour.numbering[kind] = .automatic }
        return SimulatorConfiguration(fixture: fixture, rateLimit: nil, faults: faults, seed: seed)
    }

    /// Runs the upload as an operator would until it is accepted: again after a temporary failure.
    func uploadUntilAccepted(_ fixture: PipelineFixture, runs limit: Int = 30) async throws -> Int {
        var runs = 0
        while runs < limit {
            runs += 1
            do {
                let outcome = try await fixture.upload()
                if outcome.exitStatus == .success { return runs }
                #expect(outcome.exitStatus == .temporaryFailure, "\(outcome.summary)")
            } catch let failure as any PipelineFailure where failure.exitStatus == .temporaryFailure {
                continue
            }
        }
        return runs
    }

    /// The simulator's records of a kind by the own key each keeps, with Visma's number.
    func byOwnKey(_ fixture: PipelineFixture, _ kind: String) async throws -> [String: [String]] {
        let (keyOf, numberField): ((([String: Any]) -> String?), String) =
            switch kind {
            case "customer": ({ $0["accountReference"] as? String }, "number")
            case "customerPayment": ({ $0["paymentRef"] as? String }, "refNbr")
            case "purchaseOrder":
                ({ ($0["description"] as? String).map { String($0.dropFirst("FlexyBox ".count)) } }, "orderNbr")
            default:
                (
                    { (($0["journalTransactionLines"] as? [[String: Any]])?.first?["referenceNumber"] as? String) },
                    "batchNumber"
                )
            }
        var found: [String: [String]] = [:]
        for record in try await fixture.entities(kind) {
            found[keyOf(record) ?? "?", default: []].append(record[numberField] as? String ?? "?")
        }
        return found
    }

    @Test(arguments: [12, 31, 77] as [UInt64])
    func withAutomaticNumberingAndTwentyPercentLostAnswersTheSampleWeekLandsExactlyOnce(seed: UInt64) async throws {
        try await RunningSimulator.with(Self.automaticCompany(seed: seed)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator, parallelism: 4)
            let id = try await fixture.prepareBatch()
            let payloads = try fixture.payloads(id)
            // The payload files keep our keys: a payment names its customer by FlexyBox's number, as a reference.
            let payment = try #require(payloads.first { $0.kind == "customerPayment" })
            #expect(payment.references.map(\.field) == ["customer"])
            #expect(payment.body["customer"]?["value"]?.stringValue == payment.references.first?.key)

            let admin = try VismaTestClient(baseURL: simulator.baseURL)
            #expect(try await admin.send("POST", "/_simulator/faults", json: "lost:0.2", record: false).status == 200)
            #expect(try await uploadUntilAccepted(fixture) < 30)

            let ledger = try #require(try UploadLedger.Reader.open(root: fixture.root))
            let customers = try await byOwnKey(fixture, "customer")
            for kind in Self.numberedKinds {
                let keys = Set(payloads.filter { $0.kind == kind }.map(\.key))
                let found = try await byOwnKey(fixture, kind)
                #expect(Set(found.keys) == keys, "\(kind)")
                #expect(found.values.allSatisfy { $0.count == 1 }, "\(kind): \(found.filter { $0.value.count > 1 })")
                // The ledger holds the number Visma gave each record, queryable by our key.
                let numbers = try ledger.vismaNumbers(kind: kind, keys: keys)
                #expect(numbers == found.compactMapValues(\.first), "\(kind)")
            }
            #expect(customers.values.flatMap { $0 }.allSatisfy { $0.hasPrefix("0000") })
            // Each payment names the customer Visma numbered, not FlexyBox's number.
            for record in try await fixture.entities("customerPayment") {
                let paymentRef = try #require(record["paymentRef"] as? String)
                let ours = try #require(
                    payloads.first { $0.kind == "customerPayment" && $0.key == paymentRef }?.references.first?.key)
                #expect((record["customer"] as? [String: Any])?["number"] as? String == customers[ours]?.first)
            }
        }
    }

    @Test func aLookupAnsweredWith500IsNeverTakenAsAbsentSoNothingIsPostedTwice() async throws {
        try await RunningSimulator.with(Self.automaticCompany()) { simulator in
            let fixture = try PipelineFixture(simulator: simulator, parallelism: 2)
            let id = try await fixture.prepareBatch()
            let admin = try VismaTestClient(baseURL: simulator.baseURL)
            let faults = "lost:#1/POST /v1/customer,500:1/GET /v1/customer"
            #expect(try await admin.send("POST", "/_simulator/faults", json: faults, record: false).status == 200)

            let first = try await fixture.upload()
            #expect(first.exitStatus == .temporaryFailure)
            // The next run cannot settle the record either while the lookup answers 500: it sends nothing.
            do {
                let second = try await fixture.upload()
                #expect(second.exitStatus == .temporaryFailure)
            } catch let failure as any PipelineFailure {
                #expect(failure.exitStatus == .temporaryFailure)
            }
            let customerPosts = { () async throws -> Int in
                let log = try await admin.send("GET", "/_simulator/requests", record: false)
                return (log.jsonObject["requests"] as? [[String: Any]] ?? []).filter {
                    $0["method"] as? String == "POST" && $0["path"] as? String == "/v1/customer"
                }.count
            }
            // One POST per customer the ledger let leave (the window that was in flight), the unconfirmed one included.
            let customerRecords = try fixture.payloads(id).filter { $0.kind == "customer" && $0.method == "POST" }
            let customers = customerRecords.count
            let entries = try #require(try UploadLedger.Reader.open(root: fixture.root)).entries(batch: id)
            let states = customerRecords.compactMap { entries[$0.sequence]?.state }
            #expect(states.filter { $0 == .sending }.count == 1)
            #expect(try await customerPosts() == states.filter { $0 != .pending }.count)

            #expect(try await admin.send("POST", "/_simulator/faults", json: "", record: false).status == 200)
            #expect(try await fixture.upload().exitStatus == .success)
            #expect(try await customerPosts() == customers)
            #expect(try await fixture.entities("customer").count == customers)
        }
    }
}

/// Records Visma numbered in one batch are addressed by Visma's number in the next.
@Suite struct NumberingAcrossBatchesTests {
    @Test func aCustomerVismaNumberedIsUpdatedUnderVismasNumberInALaterBatchNotCreatedAgain() async throws {
        try await RunningSimulator.with(NumberingUploadTests.automaticCompany()) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            _ = try await fixture.prepareBatch()
            #expect(try await fixture.upload().exitStatus == .success)
            let before = try await fixture.entities("customer")
            let vismaNumber = try #require(
                before.first { $0["accountReference"] as? String == "K-1017" }?["number"] as? String)
            #expect(vismaNumber != "K-1017")

            let queue = try DatabaseQueue(path: fixture.root.resolve("source/flexybox.sqlite").path)
            try await queue.write { db in
                try db.execute(
                    sql:
                        "UPDATE customers SET email = 'ny@example.dk', modified_at = '2026-11-29T09:00:00+01:00' WHERE customer_number = 'K-1017'"
                )
            }
            try queue.close()
            let second = try await fixture.prepareBatch()
            let payloads = try fixture.payloads(second)
            #expect(
                payloads.map { "\($0.method) \($0.kind) \($0.key) \($0.path)" } == [
                    "PUT customer K-1017 /v1/customer/\(vismaNumber)"
                ])
            #expect(try await fixture.upload().exitStatus == .success)
            let after = try await fixture.entities("customer")
            #expect(after.count == before.count)
            let updated = after.first { $0["number"] as? String == vismaNumber }
            #expect((updated?["mainContact"] as? [String: Any])?["email"] as? String == "ny@example.dk")
            #expect(updated?["accountReference"] as? String == "K-1017")
        }
    }
}

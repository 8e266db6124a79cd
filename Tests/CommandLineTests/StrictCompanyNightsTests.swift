import FlexyVismaCore
import Foundation
import GRDB
import TestSupport
import Testing
import VismaSimulator

/// The bookkeeper's nights against the strict company (`CompanyFixture.strictVenue`): a financial year from July,
/// Visma numbering customers, payments and journals itself, low page caps, IPP-shaped errors, queued releases.
@Suite struct StrictCompanyNightsTests {
    typealias Venue = NightlyRunTests.Venue

    /// What the company holds of one kind (`GET /_simulator/entities?kind=`).
    static func records(_ simulator: RunningSimulator, _ kind: String) async throws -> [[String: Any]] {
        let response = try await VismaTestClient(baseURL: simulator.baseURL).send(
            "GET", "/_simulator/entities?kind=\(kind)", record: false)
        return ((response.jsonObject[kind] as? [String: Any])?["records"] as? [[String: Any]]) ?? []
    }

    static func ore(_ value: Any?) -> Int64 { Int64((((value as? Double) ?? 0) * 100).rounded()) }

    /// The output VAT of the receipts of each (journal key) in the source: per receipt line and for the day's gross.
    static func receiptVat(_ source: URL) throws -> [String: (perLine: Int64, lines: Int, gross: Int64)] {
        let queue = try DatabaseQueue(path: source.path)
        defer { try? queue.close() }
        return try queue.read { db in
            var result: [String: (perLine: Int64, lines: Int, gross: Int64)] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.business_day AS day, r.department AS department, l.amount_ore AS amount FROM receipt_lines l
                    JOIN receipts r ON r.number = l.receipt_number WHERE l.vat_code = '25' AND r.department IN ('cafe', 'restaurant')
                    """)
            for row in rows {
                let day: String = row["day"]
                let department: String = row["department"]
                let key = "POS\(day.replacingOccurrences(of: "-", with: ""))-\(department == "cafe" ? "1" : "2")"
                let amount: Int64 = row["amount"]
                var entry = result[key] ?? (0, 0, 0)
                entry.perLine += Self.vatIn(amount)
                entry.lines += 1
                entry.gross += amount
                result[key] = entry
            }
            return result
        }
    }

    /// VAT contained in a gross amount at 25 %, half away from zero.
    static func vatIn(_ gross: Int64) -> Int64 {
        let (quotient, remainder) = (gross * 25).quotientAndRemainder(dividingBy: 125)
        return quotient + (2 * remainder.magnitude >= 125 ? (gross < 0 ? -1 : 1) : 0)
    }

    /// In FlexyBox: K-1005 moves; a deposit, a withdrawal and one sale on 2026-11-30.
    static func recordTheNextDay(in source: URL) throws {
        let queue = try DatabaseQueue(path: source.path)
        try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE customers SET address_line1 = 'Strandvejen 3', postal_code = '5700', city = 'Svendborg',
                        modified_at = '2026-11-30T10:00:00+01:00' WHERE customer_number = 'K-1005';
                    INSERT INTO customer_payments (payment_id, business_day, customer_number, payment_type, amount_ore, currency, department, reference)
                        VALUES ('P-20261130-01', '2026-11-30', 'K-1003', 'Kontant', 100000, 'DKK', 'cafe', 'Indbetaling K-1003'),
                               ('P-20261130-02', '2026-11-30', 'K-1003', 'Kontant', -40000, 'DKK', 'cafe', 'Udbetaling K-1003');
                    INSERT INTO receipts (number, department, register, business_day, time) VALUES (109001, 'cafe', 'K1', '2026-11-30', '2026-11-30T09:00:00+01:00');
                    INSERT INTO receipt_lines (receipt_number, line, item_number, item_group, quantity_e4, unit_price_ore, discount_ore, amount_ore, vat_code)
                        VALUES (109001, 1, '1055', 'Frokost', 10000, 14900, 0, 14900, '25');
                    INSERT INTO receipt_tenders (receipt_number, line, payment_type, amount_ore) VALUES (109001, 1, 'Dankort', 14900);
                    """)
        }
        try queue.close()
    }

    @Test func theSampleWeekAndTheNightsAfterLandInTheStrictCompanyAsTheBookkeeperExpects() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: .strictVenue, rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let source = venue.root.resolve("source/flexybox.sqlite")
            // A child process that talks to the in-process simulator runs off the cooperative pool the simulator needs.
            #expect(try await offCooperativePool { try venue.run(["doctor"]) }.status == 0)

            // Night 1: the corrected sample week.
            let first = try await offCooperativePool { try venue.run(["run"]) }
            #expect(first.status == 0, "\(first.standardOutput.suffix(1500)) \(first.standardError.suffix(1500))")

            // One journal per day and department, each a VAT transaction in period 202705 (November 2026 in a
            // year from July), released, whose VAT is the receipts' VAT.
            let journals = try await Self.records(simulator, "journalTransaction")
            let expected = try Self.receiptVat(source)
            #expect(journals.count == 14)
            #expect(Set(journals.compactMap { $0["batchNumber"] as? String }).allSatisfy { $0.hasPrefix("0") })
            for journal in journals {
                let lines = journal["journalTransactionLines"] as? [[String: Any]] ?? []
                let key = try #require(lines.first?["referenceNumber"] as? String)
                #expect(journal["createVatTransaction"] as? Bool == true, "\(key)")
                #expect(journal["financialPeriod"] as? String == "202705", "\(key)")
                #expect(["Released", "Posted"].contains(journal["status"] as? String ?? ""), "\(key)")
                let vat = lines.filter { ($0["vat"] as? [String: Any])?["id"] as? String == "U25" }.reduce(Int64(0)) {
                    $0 + Self.ore($1["creditAmountInCurrency"]) - Self.ore($1["debitAmountInCurrency"])
                }
                let receipts = try #require(expected[key], "\(key)")
                #expect(vat == Self.vatIn(receipts.gross), "\(key)")
                #expect(abs(vat - receipts.perLine) <= Int64(receipts.lines), "\(key)")
            }
            #expect(
                Set(
                    journals.compactMap {
                        ($0["journalTransactionLines"] as? [[String: Any]])?.first?["referenceNumber"] as? String
                    })
                    == Set(expected.keys))

            // Customers numbered by Visma, each holding FlexyBox's number; withdrawals applied and released.
            let customers = try await Self.records(simulator, "customer")
            #expect(customers.count == 22)
            #expect(Set(customers.compactMap { $0["accountReference"] as? String }).count == 22)
            #expect(customers.allSatisfy { ($0["number"] as? String) != ($0["accountReference"] as? String) })
            let payments = try await Self.records(simulator, "customerPayment")
            #expect(payments.count == 11)
            let refunds = payments.filter { $0["type"] as? String == "Refund" }
            #expect(refunds.count == 2)
            #expect(
                refunds.allSatisfy {
                    $0["status"] as? String == "Closed" && !(($0["paymentLines"] as? [Any]) ?? []).isEmpty
                })

            // The bookkeeper sets credit terms in Visma; in FlexyBox K-1005 moves; a deposit and a withdrawal and one
            // sale on the next day.
            let holm = try #require(
                customers.first { $0["accountReference"] as? String == "K-1005" }?["number"] as? String)
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            #expect(try await client.put("/v1/customer/\(holm)", #"{"creditTermsId": {"value": "30D"}}"#).status == 204)
            try Self.recordTheNextDay(in: source)

            // Night 2.
            let second = try await offCooperativePool { try venue.run(["run", "--day", "2026-11-30"]) }
            #expect(second.status == 0, "\(second.standardOutput.suffix(1500)) \(second.standardError.suffix(1500))")
            let bodies =
                try await client.send("GET", "/_simulator/bodies", record: false).jsonObject["bodies"]
                as? [[String: Any]] ?? []
            let put = try #require(
                bodies.last {
                    $0["method"] as? String == "PUT" && ($0["path"] as? String)?.hasPrefix("/v1/customer/") == true
                })
            #expect(put["path"] as? String == "/v1/customer/\(holm)")
            let sent = try #require(put["body"] as? [String: Any])
            #expect(Set(sent.keys) == ["mainAddress"], "\(sent)")
            let address = (sent["mainAddress"] as? [String: Any])?["value"] as? [String: Any] ?? [:]
            #expect(Set(address.keys) == ["addressLine1", "postalCode", "city"], "\(sent)")
            let moved = try #require(
                try await Self.records(simulator, "customer").first { $0["number"] as? String == holm })
            #expect((moved["mainAddress"] as? [String: Any])?["city"] as? String == "Svendborg")
            #expect((moved["creditTerms"] as? [String: Any])?["id"] as? String == "30D")
            #expect(try await Self.records(simulator, "customer").count == 22)
            let paymentsAfter = try await Self.records(simulator, "customerPayment")
            #expect(paymentsAfter.count == 13)
            let withdrawal = try #require(paymentsAfter.first { $0["paymentRef"] as? String == "P-20261130-02" })
            #expect(withdrawal["status"] as? String == "Closed")
            #expect(try await Self.records(simulator, "journalTransaction").count == 15)

            // Night 3: nothing new — nothing sent, nothing created.
            let third = try await offCooperativePool { try venue.run(["run"]) }
            #expect(third.status == 0)
            #expect(try await Self.records(simulator, "journalTransaction").count == 15)
            #expect(try await Self.records(simulator, "customerPayment").count == 13)
            #expect(try venue.run(["audit", "verify"]).status == 0)
        }
    }

    @Test func lostAnswersLeaveEveryRecordOfTheSampleWeekExactlyOnceInTheStrictCompany() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: .strictVenue, rateLimit: nil, seed: 7)) {
            simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            #expect(try await client.send("POST", "/_simulator/faults", json: "lost:0.2", record: false).status == 200)
            var nights = 0
            var last: ProcessResult?
            repeat {
                nights += 1
                let command = try HaltRecord.current(in: venue.root) == nil ? "run" : "retry"
                last = try await offCooperativePool { try venue.run([command]) }
            } while last?.status != 0 && nights < 40
            #expect(
                last?.status == 0,
                "after \(nights) runs: \(last?.standardOutput.suffix(1500) ?? "") \(last?.standardError.suffix(1500) ?? "")"
            )
            let log =
                try await client.send("GET", "/_simulator/requests", record: false).jsonObject["requests"]
                as? [[String: Any]] ?? []
            #expect(log.filter { $0["fault"] as? String == "lost" }.count > 10, "answers were lost")
            #expect(try await client.send("POST", "/_simulator/faults", json: "", record: false).status == 200)

            func distinct(_ kind: String, _ key: ([String: Any]) -> String?) async throws -> (count: Int, keys: Int) {
                let records = try await Self.records(simulator, kind)
                return (records.count, Set(records.compactMap(key)).count)
            }
            let customers = try await distinct("customer") { $0["accountReference"] as? String }
            #expect(customers.count == 22 && customers.keys == 22)
            let payments = try await distinct("customerPayment") { $0["paymentRef"] as? String }
            #expect(payments.count == 11 && payments.keys == 11)
            let journals = try await distinct("journalTransaction") {
                ($0["journalTransactionLines"] as? [[String: Any]])?.first?["referenceNumber"] as? String
            }
            #expect(journals.count == 14 && journals.keys == 14)
            let orders = try await distinct("purchaseOrder") { $0["description"] as? String }
            #expect(orders.count == 5 && orders.keys == 5)
            #expect(try await Self.records(simulator, "inventory").count == 81)
            #expect(try await Self.records(simulator, "kitSpecification").count == 23)
        }
    }
}

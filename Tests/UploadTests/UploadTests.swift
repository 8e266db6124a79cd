import FlexyVismaCore
import Foundation
import GRDB
import PipelineOperations
import TestSupport
import Testing
import VismaPayloads
import VismaSimulator
import VismaUpload

@Suite struct SampleUploadTests {
    /// The whole sample week, through every stage, into the strict simulator over HTTP.
    @Test func theSampleWeekLandsInVismaExactlyAsExpected() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            let outcome = try await fixture.upload()
            #expect(outcome.exitStatus == .success, "\(outcome.summary)")
            let details = try #require(outcome.manifest?.upload)

            // Items: raw materials and products without calculation are stock items, products with one non-stock kits.
            let items = try await fixture.entities("inventory")
            #expect(items.count == 81)
            let kits = items.filter { $0["kitItem"] as? Bool == true }
            #expect(kits.count == 23)
            #expect(
                kits.allSatisfy {
                    $0["stockItem"] as? Bool == false
                        && ($0["itemClass"] as? [String: Any])?["id"] as? String == "IKKELAGER"
                })
            #expect(items.filter { $0["stockItem"] as? Bool == true }.count == 58)
            // Kit specifications: every raw material on the stock list, none on the non-stock list.
            let specifications = try await fixture.entities("kitSpecification")
            #expect(specifications.count == 23)
            let latte = try #require(specifications.first { $0["kitInventoryID"] as? String == "1004" })
            let lines = latte["stockComponentLines"] as? [[String: Any]] ?? []
            #expect(lines.compactMap { $0["componentID"] as? String } == ["R-100", "R-102"])
            #expect((latte["nonStockComponentLines"] as? [Any])?.isEmpty == true)
            // Customers and payments: deposits as Prepayment, withdrawals as Refund with a positive amount.
            #expect(try await fixture.entities("customer").count == 22)
            let payments = try await fixture.entities("customerPayment")
            #expect(payments.count == 11)
            let refunds = payments.filter { $0["type"] as? String == "Refund" }
            #expect(!refunds.isEmpty)
            #expect(payments.allSatisfy { ($0["paymentAmount"] as? Double ?? 0) > 0 })
            #expect(try await fixture.entities("purchaseOrder").count == 5)
            // Journals: one per business day and enabled department, balanced, totals equal to the receipts'.
            let journals = try await fixture.entities("journalTransaction")
            #expect(journals.count == 14)
            let export = try StageManifest.decode(
                Data(contentsOf: fixture.root.batchFolder(id).appendingPathComponent("export.manifest.json")))
            for journal in journals {
                let debit = journal["debitTotal"] as? Double ?? -1
                #expect(debit == journal["creditTotal"] as? Double)
                let branch = journal["branch"] as? String
                let day = (journal["transactionDate"] as? String ?? "").prefix(10)
                let department = branch == "1" ? "Café" : "Restaurant"
                let totals = try #require(
                    export.controlTotals?.receiptDays.first { $0.businessDay == day && $0.department == department })
                let gross = Double(FixedPoint(parsing: totals.grossSales, scale: 2)?.units ?? 0) / 100
                #expect(abs(debit - gross) < 0.001, "\(day) \(department)")
            }
            // The manifest accounts for it all.
            #expect(details.kinds["inventory"]?.created == 81)
            #expect(details.kinds["journalTransaction"]?.created == 14)
            #expect(details.vismaIds["customerPayment"]?.count == 11)
            #expect(details.rateLimited == 0)
            // One token for all workers: those that ask while it is being fetched wait for it.
            #expect(details.tokenFetches == 1)
            let transform = try StageManifest.decode(
                Data(contentsOf: fixture.root.batchFolder(id).appendingPathComponent("transform.manifest.json")))
            let transformed = Dictionary(
                uniqueKeysWithValues: (transform.controlTotals?.receiptDays ?? []).map { ($0.file, $0) })
            let exported = Dictionary(
                uniqueKeysWithValues: (export.controlTotals?.receiptDays ?? []).filter { $0.department != "Bowling" }
                    .map { ($0.file, $0) })
            #expect(transformed.count == 14)
            #expect(transformed == exported)

            // A second run sends nothing; a second batch of unchanged master data sends nothing either.
            let again = try await fixture.upload()
            #expect(again.batchId == nil)
        }
    }

    @Test(.enabled(if: Repository.officialOpenAPI != nil, "Visma's OpenAPI document is absent"))
    func everyPayloadFitsTheOfficialDTOSchema() async throws {
        let spec = try #require(Repository.officialOpenAPI)
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            let exchanges = try fixture.payloads(id).map { record in
                VismaTestClient.Exchange(
                    method: record.method, path: record.path, status: record.method == "POST" ? 201 : 204,
                    requestBody: String(decoding: record.body.encoded(), as: UTF8.self), responseBody: nil)
            }
            #expect(exchanges.count > 150)
            let file = fixture.folder.path("payload-exchanges.json")
            try JSONEncoder().encode(exchanges).write(to: file)
            let result = try ChildProcess.run(
                URL(fileURLWithPath: "/usr/bin/env"),
                [
                    "python3", Repository.root.appendingPathComponent("Scripts/check-openapi-conformance").path,
                    spec.path, file.path,
                ])
            #expect(result.status == 0, "\(result.standardOutput.prefix(3000))")
        }
    }
}

@Suite struct UploadRejectionTests {
    /// Visma refuses a purchase order (its supplier is gone): the halt carries Visma's words; once
    /// the supplier exists, a retry finishes the batch without sending anything twice.
    @Test func aMissingSupplierHaltsVerbatimAndARetryFinishesWithoutDuplicates() async throws {
        var company = CompanyFixture.sampleVenue
        let removed = try #require(company.suppliers.first { $0.name == "Vinhuset Ribe" })
        let reference = try SampleVisma.reference()
        company.suppliers.removeAll { $0.number == removed.number }
        try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            // Validated while Visma still had the supplier (a snapshot), uploaded after it was removed.
            var snapshot = reference
            snapshot.items = []
            snapshot.customers = []
            let id = try await fixture.prepareBatch(reference: snapshot)
            let orders = try fixture.payloads(id).filter { $0.group == .purchaseOrders }
            #expect(orders.contains { ($0.body["supplier"]?["value"]?.stringValue) == removed.number })

            let first = try await fixture.upload()
            #expect(first.exitStatus == .dataRejected)
            let halt = try #require(try HaltRecord.current(in: fixture.root))
            #expect(halt.stage == .upload)
            let verbatim = try #require(halt.first?.message)
            #expect(verbatim.hasPrefix("VismaId: "))
            #expect(verbatim.contains("Supplier '\(removed.number)' does not exist."))
            #expect(first.manifest?.rejections.first?.message == verbatim)
            #expect(first.manifest?.status == .rejected)
            #expect(halt.first?.hint?.contains("--retry") == true)
            let status = try PipelineStatus.read(root: fixture.root, configuration: fixture.configuration)
            #expect(status.text.contains(verbatim))
            #expect(status.text.contains("HALTED: batch \(id) was refused at upload"))
            let blocked = await #expect(throws: OperatorMessage.self) { try await fixture.upload() }
            #expect(blocked?.exitStatus == .haltedEarlier)

            // The bookkeeper creates the supplier in Visma and retries.
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            let added = try await client.send(
                "POST", "/_simulator/fixture",
                json:
                    #"{"suppliers": [{"number": "\#(removed.number)", "name": "\#(removed.name)", "status": "Active"}]}"#,
                record: false)
            #expect(added.status == 200)
            let retried = try await fixture.upload(retry: true)
            #expect(retried.exitStatus == .success, "\(retried.summary)")
            #expect(try HaltRecord.current(in: fixture.root) == nil)
            #expect(try await fixture.entities("purchaseOrder").count == 5)
            #expect(try await fixture.entities("inventory").count == 81)
            #expect(try await fixture.entities("journalTransaction").count == 14)
            // Every record was written once; only the refused order was sent twice (refused, then accepted).
            let log = try await VismaTestClient(baseURL: simulator.baseURL).send(
                "GET", "/_simulator/requests", record: false)
            let writes = (log.jsonObject["requests"] as? [[String: Any]] ?? []).filter {
                ($0["method"] as? String) != "GET" && ($0["path"] as? String) != "/connect/token"
                    && !(($0["path"] as? String) ?? "").hasPrefix("/_simulator")
            }
            // Releases (the sample configuration releases documents): each of the 11 payments and 14 journals once.
            let releases = writes.compactMap { $0["path"] as? String }.filter { $0.hasSuffix("/action/release") }
            #expect(releases.count == 25)
            #expect(Set(releases).count == 25)
            // Vouchers: each of the 14 journals' PDF and receipts file attached once.
            let attachments = writes.compactMap { $0["path"] as? String }.filter { $0.hasSuffix("/attachment") }
            #expect(attachments.count == 28)
            let expectedWrites = 156 + 1 + 25 + 28
            #expect(writes.count == expectedWrites)
            #expect(writes.filter { $0["status"] as? Int == 400 }.count == 1)
        }
    }
}

@Suite struct UpsertTests {
    /// After the first upload, a changed price is a PUT, a changed recipe a new kit revision, and
    /// everything unchanged is left alone.
    @Test func onlyWhatChangedIsSentAgain() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            _ = try await fixture.prepareBatch()
            #expect(try await fixture.upload().exitStatus == .success)

            let queue = try DatabaseQueue(path: fixture.root.resolve("source/flexybox.sqlite").path)
            try await queue.write { db in
                try db.execute(
                    sql:
                        "UPDATE items SET sales_price_ore = 5000, modified_at = '2026-11-29T09:00:00+01:00' WHERE item_number = '1003'"
                )
                try db.execute(
                    sql:
                        "UPDATE calculation_components SET quantity_e4 = 200 WHERE item_number = '1004' AND component_item = 'R-100'"
                )
                try db.execute(
                    sql: "UPDATE calculations SET modified_at = '2026-11-29T09:00:00+01:00' WHERE item_number = '1004'")
            }
            try queue.close()
            let second = try await fixture.prepareBatch()
            let payloads = try fixture.payloads(second)
            #expect(
                payloads.map { "\($0.method) \($0.kind) \($0.key)" } == [
                    "PUT inventory 1003", "POST kitSpecification 1004/2",
                ])
            #expect(try await fixture.upload().exitStatus == .success)
            let espresso = try await fixture.entities("inventory").first { $0["inventoryNumber"] as? String == "1003" }
            #expect(espresso?["defaultPrice"] as? Double == 50)
            let revisions = try await fixture.entities("kitSpecification").filter {
                $0["kitInventoryID"] as? String == "1004"
            }
            #expect(revisions.compactMap { $0["revision"] as? String }.sorted() == ["1", "2"])
        }
    }

    @Test func oneJournalPerReceiptWhenConfigured() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            var fixture = try PipelineFixture(simulator: simulator)
            fixture.configuration.pipeline.receiptsPosting = .journalPerReceipt
            try fixture.configuration.encoded().write(to: fixture.root.configFile)
            let id = try await fixture.prepareBatch()
            let journals = try fixture.payloads(id).filter { $0.group == .journalTransactions }
            #expect(journals.count == 360)
            #expect(journals.allSatisfy { $0.key.hasPrefix("POS-R") })
            #expect(try await fixture.upload().exitStatus == .success)
            let held = try await fixture.entities("journalTransaction")
            #expect(held.count == 360)
            #expect(held.allSatisfy { ($0["debitTotal"] as? Double) == ($0["creditTotal"] as? Double) })
        }
    }
}

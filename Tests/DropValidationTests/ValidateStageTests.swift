import DropValidation
import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaSimulator

@Suite struct ValidateStageTests {
    @Test func aRejectedBatchKeepsItsFilesHaltsAndHoldsTheQueue() async throws {
        let fixture = try ValidationFixture()
        let bad = Repository.invalidDrops.appendingPathComponent("purchase_orders-errors.xml")
        try fixture.drop([bad])
        let rejected = try await fixture.validate()
        #expect(rejected.exitStatus == .dataRejected)
        let id = try #require(rejected.batchId)
        let kept = fixture.root.batchFolder(id).appendingPathComponent(bad.lastPathComponent)
        let keptDigest = try DurableFiles.digest(of: kept)
        #expect(keptDigest == (try DurableFiles.digest(of: bad)))
        let halt = try #require(try HaltRecord.current(in: fixture.root))
        #expect(halt.batchId == id)
        #expect(halt.stage == .validate)
        let report = try String(
            contentsOf: fixture.root.url.appendingPathComponent("batches/\(id)/report.txt"), encoding: .utf8)
        #expect(
            report.contains(
                "purchase_orders-errors.xml:3:0: error[po.unknown-supplier]: no Visma supplier is named \"Frugt & Grønt Engros\""
            ))

        // Behind the halt, a new drop waits.
        try fixture.drop([Repository.validDrops.appendingPathComponent("payments.csv")])
        let blocked = await #expect(throws: OperatorMessage.self) { try await fixture.validate() }
        #expect(blocked?.exitStatus == .haltedEarlier)
        #expect(try fixture.inboxNames() == ["payments.csv"])
    }

    @Test func retryAfterFixingVismaAcceptsTheHaltedBatch() async throws {
        let fixture = try ValidationFixture()
        try Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <purchaseOrders xmlns="urn:flexyvisma:purchase-orders:1">
              <purchaseOrder number="PO-9101" supplier="Frugt &amp; Grønt Engros" date="2026-11-28">
                <line item="R-135" quantity="10" unit="KG" unitCost="18.00"/>
              </purchaseOrder>
            </purchaseOrders>
            """.utf8
        ).write(to: fixture.root.inbox.appendingPathComponent("purchase_orders.xml"))
        let first = try await fixture.validate()
        #expect(first.exitStatus == .dataRejected)
        // The bookkeeper creates the supplier in Visma: the next snapshot has it.
        var reference = try ReferenceSnapshot.load(from: fixture.referenceFile)
        reference.suppliers.append(.init(number: "50099", name: "Frugt & Grønt Engros", active: true))
        try reference.encoded().write(to: fixture.referenceFile)
        let retried = try await fixture.validate(retry: true)
        #expect(retried.exitStatus == .success, "\(retried.reportLines)")
        #expect(retried.batchId == first.batchId)
        #expect(try HaltRecord.current(in: fixture.root) == nil)
        let folder = fixture.root.batchFolder(try #require(first.batchId))
        #expect(
            FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("validate.manifest.attempt-1.json").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.attempt-1.txt").path))
        // The new manifest is chained to the first attempt's.
        let firstBytes = try Data(contentsOf: folder.appendingPathComponent("validate.manifest.attempt-1.json"))
        #expect(retried.manifest?.previous == firstBytes.sha256Hex)
    }

    @Test func aPaymentIdSentBeforeIsCaughtAcrossBatches() async throws {
        let fixture = try ValidationFixture(seedHistory: false)
        // 600 ids: the history stores them hundreds per statement and the rest one by one.
        let header = "payment_id,date,customer_number,payment_type,amount\n"
        try Data((header + (1...600).map { "P-\($0),2026-11-28,K-1001,Dankort,100.00\n" }.joined()).utf8)
            .write(to: fixture.root.inbox.appendingPathComponent("payments.csv"))
        let first = try await fixture.validate()
        #expect(first.exitStatus == .success)
        // Sent and archived (as `run` does after the upload): the next drop may be checked.
        let id = try #require(first.batchId)
        let archived = fixture.root.archive.appendingPathComponent("\(id.year)/\(id.month)/\(id.rawValue)")
        try FileManager.default.createDirectory(
            at: archived.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: fixture.root.batchFolder(id), to: archived)
        let later = ["P-77", "P-9999", "P-600"].map { "\($0),2026-11-28,K-1001,Dankort,100.00\n" }.joined()
        try Data((header + later).utf8).write(to: fixture.root.inbox.appendingPathComponent("payments-igen.csv"))
        let again = try await fixture.validate()
        #expect(again.positionedRules == ["2:1 payment.duplicate-id", "4:1 payment.duplicate-id"])
    }

    @Test func skippedDepartmentsAreCountedNotRejectedAndGapsAreWarnings() async throws {
        let fixture = try ValidationFixture()
        func receipts(_ department: String, _ numbers: [Int]) -> String {
            let body = numbers.map { number in
                """
                  <receipt number="\(number)" register="K1" time="2026-11-28T12:00:00+01:00">
                    <line item="1001" itemGroup="Kaffe" quantity="1" unitPrice="32.00" amount="32.00" vatCode="25"/>
                    <tender type="Dankort" amount="32.00"/>
                  </receipt>
                """
            }.joined(separator: "\n")
            return
                "<?xml version=\"1.0\"?>\n<receipts xmlns=\"urn:flexyvisma:receipts:1\" businessDay=\"2026-11-28\" department=\"\(department)\">\n\(body)\n</receipts>\n"
        }
        try Data(receipts("Café", [10, 11, 15]).utf8).write(
            to: fixture.root.inbox.appendingPathComponent("receipts-cafe.xml"))
        try Data(receipts("Bowling", [12, 13]).utf8).write(
            to: fixture.root.inbox.appendingPathComponent("receipts-bowling.xml"))
        let outcome = try await fixture.validate()
        #expect(outcome.exitStatus == .success, "\(outcome.reportLines)")
        #expect(outcome.manifest?.counts["receipts"] == 3)
        #expect(outcome.manifest?.counts["receipts.skipped"] == 2)
        #expect(outcome.manifest?.counts["files.skipped"] == 1)
        #expect(outcome.manifest?.warnings.map(\.message) == ["receipt numbers 14–14 are missing on 2026-11-28"])
    }

    /// The reference snapshot comes from Visma through the libcurl client, page by page; a batch
    /// rejected against it sends nothing: the simulator sees only reads.
    @Test func theSnapshotIsFetchedFromVismaAndARejectedBatchSendsNothing() async throws {
        try await RunningSimulator.with { simulator in
            let seeding = try VismaTestClient(baseURL: simulator.baseURL)
            try await seeding.authenticate()
            for index in 1...7 {
                #expect(
                    try await seeding.post(
                        "/v1/inventory",
                        """
                        {"inventoryNumber": {"value": "R-\(index)"}, "itemClass": {"value": "RAAVARE"}, "baseUnit": {"value": "KG"},
                         "salesUnit": {"value": "KG"}, "purchaseUnit": {"value": "KG"}}
                        """
                    ).status == 201)
            }
            let requestsBefore = simulator.engine.handle(SimulatorRequest(method: "GET", path: "/_simulator/requests"))
            let writesBefore = String(decoding: requestsBefore.body, as: UTF8.self).components(separatedBy: "\"POST\"")
                .count

            var configuration = PipelineConfiguration.sampleVenue(vismaBaseURL: simulator.baseURL, sourcePath: "x")
            configuration.pipeline.settleSeconds = 0
            let connection = VismaConnection(
                configuration: configuration, secret: ClientSecret(value: ClientSecret.simulatorDemoSecret))
            let snapshot = try await ReferenceFetcher.fetch(connection: connection, pageSize: 3)
            #expect(snapshot.items.map(\.number) == (1...7).map { "R-\($0)" })
            #expect(snapshot.items.allSatisfy { $0.stockItem })
            #expect(snapshot.paymentMethods.contains { $0.id == "SWIPP" && !$0.active })
            #expect(
                snapshot.financialPeriods.contains {
                    $0.period == "202509" && $0.closedInGeneralLedger && $0.startDate == "2025-09-01"
                })
            #expect(snapshot.suppliers.count == 7)

            let fixture = try ValidationFixture()
            try configuration.encoded().write(to: fixture.root.configFile)
            try fixture.drop([Repository.invalidDrops.appendingPathComponent("payments-rules.csv")])
            let root = fixture.root
            let schemas = fixture.schemas
            let settings = configuration
            let outcome = try await ValidateStage(
                ValidateRequest(
                    root: root, configuration: settings, schemas: schemas,
                    fetchReference: { try await ReferenceFetcher.fetch(connection: connection) })
            ).run()
            #expect(outcome.exitStatus == .dataRejected)
            #expect(outcome.manifest?.referenceSnapshotHash?.count == 64)
            let saved = try ReferenceSnapshot.load(
                from: fixture.root.batchFolder(try #require(outcome.batchId)).appendingPathComponent("reference.json"))
            #expect(saved.items.count == 7)
            let requestsAfter = simulator.engine.handle(SimulatorRequest(method: "GET", path: "/_simulator/requests"))
            let writesAfter = String(decoding: requestsAfter.body, as: UTF8.self).components(separatedBy: "\"POST\"")
                .count
            // Only token requests were POSTs after the seeding: nothing was written to Visma.
            let tokenPosts =
                String(decoding: requestsAfter.body, as: UTF8.self).components(separatedBy: "/connect/token").count - 1
            let seedingTokenPosts =
                String(decoding: requestsBefore.body, as: UTF8.self).components(separatedBy: "/connect/token").count - 1
            #expect(writesAfter - writesBefore == tokenPosts - seedingTokenPosts)
        }
    }
}

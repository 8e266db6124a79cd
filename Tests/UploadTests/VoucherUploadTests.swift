import FlexyVismaCore
import Foundation
import PipelineOperations
import StateStore
import TestSupport
import Testing
import VismaPayloads
import VismaSimulator

@testable import VismaUpload

/// Vouchers over a night: every day journal in the simulator gets its PDF and its receipts file, once each,
/// under lost answers and a kill between attaching and recording.
@Suite struct VoucherUploadTests {
    /// Journal number → its attachments' names and revisions, from the journals' GET as the uploader reads them.
    static func attachmentsByJournal(_ fixture: PipelineFixture) async throws -> [String: [String: Int]] {
        let client = try VismaTestClient(baseURL: fixture.simulator.baseURL)
        try await client.authenticate()
        var result: [String: [String: Int]] = [:]
        for journal in try await fixture.entities("journalTransaction") {
            let number = try #require(journal["batchNumber"] as? String)
            let listed = try await client.attachments(onJournal: number)
            result[number] = Dictionary(
                uniqueKeysWithValues: listed.compactMap { item in
                    (item["name"] as? String).map { ($0, item["revision"] as? Int ?? 0) }
                })
        }
        return result
    }

    /// Every journal holds exactly its voucher and its receipts file, each in revision 1.
    static func expectOneVoucherPerJournal(
        _ fixture: PipelineFixture, _ id: BatchID, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let attachments = try VoucherAttachment.read(batchFolder: fixture.root.batchFolder(id))
        let byJournal = try await attachmentsByJournal(fixture)
        #expect(!byJournal.isEmpty, sourceLocation: sourceLocation)
        #expect(attachments.count == 2 * byJournal.count, sourceLocation: sourceLocation)
        for (number, files) in byJournal {
            #expect(files.count == 2, "\(number): \(files)", sourceLocation: sourceLocation)
            #expect(files.values.allSatisfy { $0 == 1 }, "\(number): \(files)", sourceLocation: sourceLocation)
            #expect(
                files.keys.contains { $0.hasPrefix("bilag-POS") && $0.hasSuffix(".pdf") },
                sourceLocation: sourceLocation)
            #expect(
                files.keys.contains { $0.hasPrefix("receipts") && $0.hasSuffix(".xml") }, sourceLocation: sourceLocation
            )
        }
        let ledger = try #require(try UploadLedger.Reader.open(root: fixture.root))
        let entries = try ledger.entries(batch: id)
        #expect(
            attachments.allSatisfy { entries[$0.sequence]?.state == .done && entries[$0.sequence]?.vismaId != nil },
            sourceLocation: sourceLocation)
    }

    @Test func everyDayJournalGetsItsVoucherAndItsReceiptsFileOnceAndAuditShowListsTheirIds() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            let outcome = try await fixture.upload()
            #expect(outcome.exitStatus == .success, "\(outcome.summary)")
            try await Self.expectOneVoucherPerJournal(fixture, id)

            // The bytes Visma hands back are the PDF transform made and hashed.
            let attachment = try #require(
                try VoucherAttachment.read(batchFolder: fixture.root.batchFolder(id)).first {
                    $0.contentType == "application/pdf"
                })
            let ledger = try #require(try UploadLedger.Reader.open(root: fixture.root))
            let visma = try #require(try ledger.entries(batch: id)[attachment.sequence]?.vismaId)
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            let fetched = try await client.get("/v1/attachment/\(visma)")
            #expect(
                fetched.body
                    == (try Data(contentsOf: fixture.root.batchFolder(id).appendingPathComponent(attachment.path))))

            let shown = try AuditShow.run(root: fixture.root, batchId: id)
            #expect(shown.contains("voucher \(attachment.name) on journal \(attachment.journalKey)"), "\(shown)")
            #expect(shown.contains("attachment \(visma)"), "\(shown)")
        }
    }

    @Test func everyReceiptJournalGetsItsOwnVoucherAndEachReceiptsFileGoesOnceWithItsFirstReceipt() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            var fixture = try PipelineFixture(simulator: simulator)
            fixture.configuration.pipeline.receiptsPosting = .journalPerReceipt
            try fixture.configuration.encoded().write(to: fixture.root.configFile)
            let id = try await fixture.prepareBatch()
            let outcome = try await fixture.upload()
            #expect(outcome.exitStatus == .success, "\(outcome.summary)")
            let folder = fixture.root.batchFolder(id)
            let keys = try fixture.payloads(id).filter { $0.group == .journalTransactions }.map(\.key)
            #expect(keys.count == 360)
            let firstReceipts = try Self.firstReceiptJournals(folder, configuration: fixture.configuration)
            #expect(!firstReceipts.isEmpty)

            let held = try await Self.attachmentsByKey(fixture, keys: keys)
            #expect(held.count == 360)
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            var receiptsFilesHeld: [String: [String]] = [:]
            for key in keys {
                let files = held[key] ?? []
                #expect(files.allSatisfy { $0.revision == 1 }, "\(key): \(files)")
                for file in files where file.name.hasSuffix(".xml") {
                    receiptsFilesHeld[file.name, default: []].append(key)
                }
                let pdfs = files.filter { $0.name.hasSuffix(".pdf") }
                #expect(pdfs.map(\.name) == ["bilag-\(key).pdf"], "\(key): \(files)")
                guard let pdf = pdfs.first else { continue }
                // The bytes Visma holds are the PDF transform made and hashed.
                let made = try Data(contentsOf: folder.appendingPathComponent("vouchers/bilag-\(key).pdf"))
                #expect(try await client.get("/v1/attachment/\(pdf.id)").body == made, "\(key)")
            }
            // Each receipts file once in the whole company, on its first receipt's journal.
            #expect(receiptsFilesHeld == firstReceipts.mapValues { [$0] })

            let attachments = try VoucherAttachment.read(batchFolder: folder)
            #expect(attachments.count == keys.count + firstReceipts.count)
            let ledger = try #require(try UploadLedger.Reader.open(root: fixture.root))
            let entries = try ledger.entries(batch: id)
            #expect(
                attachments.allSatisfy { entries[$0.sequence]?.state == .done && entries[$0.sequence]?.vismaId != nil })
            let shown = try AuditShow.run(root: fixture.root, batchId: id)
            for attachment in attachments {
                #expect(
                    shown.contains("voucher \(attachment.name) on journal \(attachment.journalKey) "),
                    "\(attachment.name)")
            }
        }
    }

    /// Each enabled department's receipts file in the batch → the journal of its first receipt, read from the file.
    static func firstReceiptJournals(_ folder: URL, configuration: PipelineConfiguration) throws -> [String: String] {
        var result: [String: String] = [:]
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        for name in names where name.hasPrefix("receipts-") && name.hasSuffix(".xml") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let department = try #require(text.firstMatch(of: /<receipts [^>]*department="([^"]*)"/)?.output.1)
            guard configuration.departments[String(department)]?.enabled == true else { continue }
            let number = try #require(text.firstMatch(of: /<receipt\s[^>]*number="([0-9]+)"/)?.output.1)
            result[name] = "POS-R\(number)"
        }
        return result
    }

    /// Our journal key → the attachments Visma lists on that journal (name, id, revision).
    static func attachmentsByKey(
        _ fixture: PipelineFixture, keys: [String]
    ) async throws -> [String: [(name: String, id: String, revision: Int)]] {
        let ledger = try #require(try UploadLedger.Reader.open(root: fixture.root))
        let numbers = try ledger.vismaNumbers(kind: PayloadGroup.journalTransactions.kind, keys: keys)
        let client = try VismaTestClient(baseURL: fixture.simulator.baseURL)
        try await client.authenticate()
        var result: [String: [(name: String, id: String, revision: Int)]] = [:]
        for (key, number) in numbers {
            let listed = try await client.attachments(onJournal: number)
            result[key] = listed.map {
                (
                    name: $0["name"] as? String ?? "", id: $0["id"] as? String ?? "",
                    revision: $0["revision"] as? Int ?? 0
                )
            }
        }
        return result
    }

    @Test func aLostAnswerToAnAttachmentIsFoundByNameInTheJournalAndNotPostedAgain() async throws {
        let faults = try FaultPlan(parsing: "lost:#2/POST /v2/journaltransaction/module")
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil, faults: faults)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            let id = try await fixture.prepareBatch()
            var outcome = try await fixture.upload()
            if outcome.exitStatus == .temporaryFailure { outcome = try await fixture.upload() }
            #expect(outcome.exitStatus == .success, "\(outcome.summary)")
            try await Self.expectOneVoucherPerJournal(fixture, id)
            let log = try await VismaTestClient(baseURL: simulator.baseURL).send(
                "GET", "/_simulator/requests", record: false)
            let lost = (log.jsonObject["requests"] as? [[String: Any]] ?? []).filter {
                ($0["fault"] as? String) == "lost"
            }
            #expect(lost.count == 2)
            #expect(lost.allSatisfy { ($0["path"] as? String)?.hasSuffix("/attachment") == true })
        }
    }

    @Test func anUploadKilledBetweenAttachingAndRecordingAttachesEachFileOnceWhenRunAgain() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator, parallelism: 2)
            let id = try await fixture.prepareBatch()
            let root = fixture.root
            let engine = simulator.engine
            let environment = [
                "FLEXYVISMA_CLIENT_SECRET": ClientSecret.simulatorDemoSecret,
                "FLEXYVISMA_FAULT": VoucherUpload.stallFault,
            ]
            let killed = try await offCooperativePool { () -> Bool in
                let running = try ChildProcess.start(
                    ChildProcess.executable("flexyvisma-upload"), ["--root", root.url.path], environment: environment)
                // It stalls for good once Visma answered the first attachment; wait for that answer, then kill it.
                while running.process.isRunning, engine.attachmentsTaken == 0 { usleep(20_000) }
                usleep(200_000)
                guard running.process.isRunning else { return false }
                running.kill()
                return true
            }
            #expect(killed)
            let ledger = try #require(try UploadLedger.Reader.open(root: root))
            let attachments = try VoucherAttachment.read(batchFolder: root.batchFolder(id))
            let entries = try ledger.entries(batch: id)
            #expect(attachments.contains { entries[$0.sequence]?.state == .sending })

            let again = try await offCooperativePool {
                try ChildProcess.run(
                    ChildProcess.executable("flexyvisma-upload"), ["--root", root.url.path],
                    environment: ["FLEXYVISMA_CLIENT_SECRET": ClientSecret.simulatorDemoSecret])
            }
            #expect(again.status == 0, "\(again)")
            try await Self.expectOneVoucherPerJournal(fixture, id)
        }
    }

    @Test func anAttachmentNameKeepsOnlySafeCharactersAndStaysShortWhateverTheDropFileWasCalled() throws {
        #expect(VoucherAttachment.name("receipts-cafe-2026-11-22.xml") == "receipts-cafe-2026-11-22.xml")
        let hostile =
            "receipts-caf\u{E9} \"x\r\nContent-Type: evil\u{1B}[2J" + String(repeating: "ø", count: 300) + ".xml"
        let name = VoucherAttachment.name(hostile)
        #expect(name.hasPrefix("receipts-caf__") && name.hasSuffix(".xml"))
        #expect(name.count == 120)
        #expect(name.unicodeScalars.allSatisfy { $0.isASCII && !["\"", "\r", "\n", "\u{1B}", " "].contains($0) })
        let batch = try #require(BatchID("20261130T020000Z-a1b2c3"))
        #expect(
            VoucherAttachment.name("bilag-POS20261122-1.pdf", batch: batch)
                == "bilag-POS20261122-1-20261130T020000Z-a1b2c3.pdf")
        #expect(VoucherAttachment.name(hostile, batch: batch).hasSuffix("-20261130T020000Z-a1b2c3.xml"))
        #expect(VoucherAttachment.name(hostile, batch: batch).count == 120)
    }

    @Test func anAttachmentOverVismasLimitIsRefusedBeforeAnythingIsSent() {
        let small = VoucherAttachment(
            sequence: 1, journalKey: "POS20261123-1", name: "bilag-POS20261123-1.pdf",
            path: "vouchers/bilag-POS20261123-1.pdf",
            contentType: "application/pdf", bytes: 40_000, sha256: String(repeating: "0", count: 64))
        var large = small
        large.name = "receipts-cafe-2026-11-23.xml"
        large.bytes = VoucherUpload.maximumBytes + 1
        #expect(VoucherUpload.refusals([small]).isEmpty)
        let refusals = VoucherUpload.refusals([small, large])
        #expect(refusals.count == 1)
        #expect(refusals.first?.rule == VoucherUpload.rule)
        #expect(refusals.first?.message.contains("25 MB") == true)
        #expect(refusals.first?.message.contains("POS20261123-1") == true)
    }
}

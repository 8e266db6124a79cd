import DropValidation
import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// Hostile and broken drops: each ends in a clear, positioned finding or a documented skip —
/// never a crash, never a lost file.
@Suite struct HostileInputTests {
    func write(_ text: String, _ name: String, in fixture: ValidationFixture) throws {
        try Data(text.utf8).write(to: fixture.root.inbox.appendingPathComponent(name))
    }

    func rules(_ outcome: ValidateOutcome) -> [String] { (outcome.manifest?.rejections ?? []).map(\.rule) }

    /// The dropped files are all in the batch folder, byte for byte.
    func expectKept(
        _ names: [String], _ outcome: ValidateOutcome, _ fixture: ValidationFixture,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let id = try #require(outcome.batchId, sourceLocation: sourceLocation)
        for name in names {
            #expect(
                FileManager.default.fileExists(atPath: fixture.root.batchFolder(id).appendingPathComponent(name).path),
                sourceLocation: sourceLocation)
        }
    }

    @Test func truncatedCSVAndXMLArePositionedSyntaxFindings() async throws {
        let fixture = try ValidationFixture()
        try write(
            "payment_id,date,customer_number,payment_type,amount\nP-1,2026-11-28,K-1001,Dankort,\"12", "payments.csv",
            in: fixture)
        try write(
            "<?xml version=\"1.0\"?>\n<receipts xmlns=\"urn:flexyvisma:receipts:1\" businessDay=\"2026-11-28\" department=\"Café\">\n  <receipt number=\"1\" regi",
            "receipts.xml", in: fixture)
        let outcome = try await fixture.validate()
        #expect(outcome.exitStatus == .dataRejected)
        let findings = outcome.manifest?.rejections ?? []
        #expect(findings.contains { $0.rule == "csv.unterminated-quote" && $0.line == 2 && $0.file == "payments.csv" })
        #expect(findings.contains { $0.rule == "xml.syntax" && $0.file == "receipts.xml" && ($0.line ?? 0) >= 3 })
        try expectKept(["payments.csv", "receipts.xml"], outcome, fixture)
    }

    @Test func headerProblemsAreNamedAndStopTheFile() async throws {
        let fixture = try ValidationFixture()
        try write(
            "payment_id,date,date,customer_number,payment_type\nP-1,2026-11-28,2026-11-28,K-1001,Dankort\n",
            "payments.csv", in: fixture)
        let outcome = try await fixture.validate()
        #expect(Set(outcome.positionedRules) == ["1:3 csv.duplicate-column", "1:0 csv.missing-column"])
        #expect(outcome.manifest?.rejections.first { $0.rule == "csv.missing-column" }?.field == "amount")
    }

    @Test func raggedRowsAndATenMegabyteFieldAreRefusedWithTheirLine() async throws {
        let fixture = try ValidationFixture()
        let huge = String(repeating: "x", count: 10 << 20)
        try write(
            "payment_id,date,customer_number,payment_type,amount\nP-1,2026-11-28,K-1001\nP-2,2026-11-28,K-1001,Dankort,\"\(huge)\"\n",
            "payments.csv", in: fixture)
        let outcome = try await fixture.validate()
        #expect(outcome.positionedRules.contains("2:0 csv.ragged-row"))
        #expect(outcome.manifest?.rejections.contains { $0.rule == "csv.line-too-long" && $0.line == 3 } == true)
        try expectKept(["payments.csv"], outcome, fixture)
    }

    @Test func tenThousandDeepNestingIsASyntaxFindingNotACrash() async throws {
        let fixture = try ValidationFixture()
        let open = String(repeating: "<a>", count: 10_000)
        let close = String(repeating: "</a>", count: 10_000)
        try write(
            "<?xml version=\"1.0\"?>\n<calculations xmlns=\"urn:flexyvisma:calculations:1\">\(open)\(close)</calculations>\n",
            "calculations.xml", in: fixture)
        let outcome = try await fixture.validate()
        #expect(outcome.exitStatus == .dataRejected)
        #expect(rules(outcome).contains("xml.schema") || rules(outcome).contains("xml.syntax"))
    }

    @Test func zeroByteFilesAreEmptyFileFindings() async throws {
        let fixture = try ValidationFixture()
        try write("", "items.csv", in: fixture)
        try write("", "receipts.xml", in: fixture)
        let outcome = try await fixture.validate()
        #expect(Set(outcome.positionedRules) == ["1:0 csv.empty-file", "1:0 xml.syntax"])
    }

    @Test func lockFilesTempFilesAndHiddenFilesAreLeftAlone() async throws {
        let fixture = try ValidationFixture()
        for name in ["~$payments.csv", ".payments.csv", "payments.csv.tmp", "receipts.xml.part", "items.csv.partial"] {
            try write("whatever", name, in: fixture)
        }
        let outcome = try await fixture.validate()
        #expect(outcome.exitStatus == .success)
        #expect(outcome.summary.hasPrefix("nothing to validate"))
        #expect(try fixture.inboxNames().count == 5)
        #expect(try fixture.rejectedNames().isEmpty)
    }

    @Test func aFileStillGrowingWithinTheSettleTimeIsNotTaken() async throws {
        let fixture = try ValidationFixture(settleSeconds: 3600)
        try write("payment_id,date,customer_number,payment_type,amount\n", "payments.csv", in: fixture)
        let outcome = try await fixture.validate()
        #expect(outcome.exitStatus == .success)
        #expect(outcome.summary.contains("still settling: payments.csv"))
        #expect(try fixture.inboxNames() == ["payments.csv"])
        // An hour later it is taken.
        let later = try await fixture.validate(now: Date().addingTimeInterval(3700))
        #expect(later.batchId != nil)
        #expect(try fixture.inboxNames().isEmpty)
    }

    @Test func unrecognisedNamesAndDotDotNamesGoToRejectedWithAReason() async throws {
        let fixture = try ValidationFixture()
        try write("hello", "notes.docx", in: fixture)
        try write("payment_id\n", "payments..csv", in: fixture)
        let outcome = try await fixture.validate()
        #expect(outcome.exitStatus == .dataRejected)
        #expect(try fixture.inboxNames().isEmpty)
        let rejected = try fixture.rejectedNames()
        #expect(rejected == ["notes.docx", "notes.docx.why.txt", "payments..csv", "payments..csv.why.txt"])
        let why = try String(
            contentsOf: fixture.root.rejected.appendingPathComponent("notes.docx.why.txt"), encoding: .utf8)
        #expect(why.contains("not a drop file name"))
        #expect(try HaltRecord.current(in: fixture.root) == nil)
    }

    @Test func aSymlinkInTheInboxIsMovedNotFollowed() async throws {
        let fixture = try ValidationFixture()
        let secret = fixture.folder.path("secret.csv")
        try Data("payment_id\nTOP-SECRET\n".utf8).write(to: secret)
        try FileManager.default.createSymbolicLink(
            atPath: fixture.root.inbox.appendingPathComponent("payments.csv").path, withDestinationPath: secret.path)
        let outcome = try await fixture.validate()
        #expect(outcome.exitStatus == .dataRejected)
        #expect(outcome.batchId == nil)
        let moved = fixture.root.rejected.appendingPathComponent("payments.csv")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: moved.path) == secret.path)
        #expect(try String(contentsOf: secret, encoding: .utf8).contains("TOP-SECRET"))
    }

    @Test func anExportManifestPointingOutsideTheBatchIsRefused() async throws {
        let fixture = try ValidationFixture()
        let id = BatchID.make(at: Date(timeIntervalSince1970: 1_795_000_000))
        let folder = fixture.root.inboxFolder(id)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("payment_id,date,customer_number,payment_type,amount\n".utf8).write(
            to: folder.appendingPathComponent("payments.csv"))
        var manifest = StageManifest(
            stage: .export, batchId: id, runId: "x", startedAt: Date(), finishedAt: Date(), status: .accepted)
        manifest.outputs = [
            FileRecord(
                path: "../../state/halt.json", digest: FileDigest(bytes: 1, sha256: String(repeating: "0", count: 64))),
            FileRecord(path: "payments.csv", digest: FileDigest(bytes: 1, sha256: String(repeating: "0", count: 64))),
        ]
        try manifest.encoded().write(to: folder.appendingPathComponent("export.manifest.json"))
        let outcome = try await fixture.validate()
        #expect(outcome.batchId == id)
        #expect(Set(rules(outcome)) == ["batch.unsafe-path", "batch.hash-mismatch"])
    }

    @Test func anEditedExportedFileIsCaughtByItsHash() async throws {
        let fixture = try ValidationFixture()
        let id = BatchID.make(at: Date(timeIntervalSince1970: 1_795_000_000))
        let folder = fixture.root.inboxFolder(id)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("payments.csv")
        try Data("payment_id,date,customer_number,payment_type,amount\nP-X,2026-11-28,K-1001,Dankort,100.00\n".utf8)
            .write(to: file)
        var manifest = StageManifest(
            stage: .export, batchId: id, runId: "x", startedAt: Date(), finishedAt: Date(), status: .accepted)
        manifest.outputs = [
            FileRecord(
                path: "payments.csv", digest: try DurableFiles.digest(of: file), fileType: "payments", records: 1)
        ]
        try manifest.encoded().write(to: folder.appendingPathComponent("export.manifest.json"))
        try Data("payment_id,date,customer_number,payment_type,amount\nP-X,2026-11-28,K-1001,Dankort,1000.00\n".utf8)
            .write(to: file)
        try Data("x".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let outcome = try await fixture.validate()
        #expect(Set(rules(outcome)) == ["batch.hash-mismatch", "batch.unknown-file"])
    }
}

import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaSimulator

/// `flexyvisma audit reconcile` over real child processes, against the simulator over HTTP after a real night: each
/// change a bookkeeper can make in Visma is found, and an untouched or reposted company agrees.
@Suite struct ReconcileTests {
    typealias Venue = NightlyRunTests.Venue

    /// One night of the sample venue's week, booked and released.
    static func bookedWeek(_ simulator: RunningSimulator) async throws -> Venue {
        let venue = try Venue(simulator: simulator, corrected: true)
        let night = try await offCooperativePool { try venue.run(["run"]) }
        #expect(night.status == 0, "\(night.standardOutput.suffix(1500)) \(night.standardError.suffix(1500))")
        return venue
    }

    static func reconcile(_ venue: Venue, _ arguments: [String] = []) async throws -> ProcessResult {
        try await offCooperativePool { try venue.run(["audit", "reconcile"] + arguments) }
    }

    /// The Visma number of the journal holding `key`.
    static func journalNumber(_ simulator: RunningSimulator, key: String) async throws -> String {
        let journals = try await RepostTests.journals(simulator, key: key)
        return try #require(journals.first?["batchNumber"] as? String, "no journal for \(key)")
    }

    static func admin(
        _ simulator: RunningSimulator, _ method: String, _ path: String, _ json: String? = nil
    ) async throws -> Int {
        try await VismaTestClient(baseURL: simulator.baseURL).send(
            method, "/_simulator/\(path)", json: json, record: false
        ).status
    }

    /// A two-line journal booked by hand in the café's branch, its lines carrying `reference` as Ref. no.
    static func handJournal(day: String, reference: String) -> String {
        """
        {"transactionDate": {"value": "\(day)T00:00:00"}, "branch": {"value": "1"}, "description": {"value": "Kassedifference rettet i hånden"},
         "journalTransactionLines": [
          {"operation": "Insert", "lineNumber": {"value": 1}, "accountNumber": {"value": "5520"}, "debitAmountInCurrency": {"value": 100}, "referenceNumber": {"value": "\(reference)"}},
          {"operation": "Insert", "lineNumber": {"value": 2}, "accountNumber": {"value": "3690"}, "creditAmountInCurrency": {"value": 100}, "referenceNumber": {"value": "\(reference)"}}]}
        """
    }

    @Test func anUntouchedCompanyAgreesAndAHandBookedJournalWithoutOurReferenceIsNotReported() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await Self.bookedWeek(simulator)
            let untouched = try await Self.reconcile(venue)
            #expect(
                untouched.status == 0,
                "\(untouched.standardOutput.suffix(2000)) \(untouched.standardError.suffix(1000))")
            #expect(
                untouched.standardOutput.contains(
                    "Visma agrees with what FlexyVisma booked: 14 journal(s), 28 voucher(s)"),
                "\(untouched.standardOutput)")

            // The bookkeeper's own journal in the café's branch, with a Ref. no. that is not ours: not ours to explain.
            #expect(
                try await Self.admin(
                    simulator, "POST", "hand-journal", Self.handJournal(day: "2026-11-24", reference: "BILAG-77"))
                    == 201)
            let afterHandBooking = try await Self.reconcile(venue)
            #expect(afterHandBooking.status == 0, "\(afterHandBooking.standardOutput.suffix(2000))")
            #expect(!afterHandBooking.standardOutput.contains("BILAG-77"))
        }
    }

    @Test func theStrictCompanyWithItsOwnNumbersAndSmallPagesAgreesAfterTheWeek() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: .strictVenue, rateLimit: nil)) { simulator in
            let venue = try await Self.bookedWeek(simulator)
            let result = try await Self.reconcile(venue)
            #expect(result.status == 0, "\(result.standardOutput.suffix(2000)) \(result.standardError.suffix(1000))")
            #expect(
                result.standardOutput.contains("Visma agrees with what FlexyVisma booked: 14 journal(s)"),
                "\(result.standardOutput)")
        }
    }

    @Test func aLineAmountEditedInVismaIsFoundWithItsDayTotalAndTheCsvIsDanishExcel() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await Self.bookedWeek(simulator)
            let journal = try #require(try await RepostTests.journals(simulator, key: RepostTests.key).first)
            let number = try #require(journal["batchNumber"] as? String)
            let lines = (journal["journalTransactionLines"] as? [[String: Any]]) ?? []
            let revenue = try #require(lines.first { StrictCompanyNightsTests.ore($0["creditAmountInCurrency"]) > 0 })
            let lineNumber = try #require(revenue["lineNumber"] as? Double)
            let credit = StrictCompanyNightsTests.ore(revenue["creditAmountInCurrency"])
            let edit =
                "{\"batchNumber\": \"\(number)\", \"lineNumber\": \(Int(lineNumber)), \"creditAmount\": \(Double(credit + 1000) / 100)}"
            #expect(try await Self.admin(simulator, "POST", "journal-line", edit) == 200)

            let csv = venue.folder.path("differences.csv")
            let html = venue.folder.path("report.html")
            let result = try await Self.reconcile(venue, ["--csv", csv.path, "--html", html.path])
            #expect(result.status == 1, "\(result.standardOutput.suffix(2000)) \(result.standardError.suffix(1000))")
            #expect(
                result.standardOutput.contains("changed in Visma: journal \(number) for \(RepostTests.key)"),
                "\(result.standardOutput)")
            #expect(
                result.standardOutput.contains("day total differs from the receipts: ")
                    && result.standardOutput.contains(" \(RepostTests.day): gross sales "), "\(result.standardOutput)")

            let bytes = [UInt8](try Data(contentsOf: csv))
            #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "UTF-8 with a byte order mark")
            let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
            let rows = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(rows.first == "difference;record;key;visma_number;day;department;field;ours;visma;explanation")
            let changed = try #require(
                rows.first { $0.hasPrefix("changed in Visma;journalTransaction;\(RepostTests.key);") }
            ).split(separator: ";").map(String.init)
            #expect(changed.count == 10)
            let (ours, visma) = (changed[7], changed[8])
            let danish = /^-?\d+,\d{2}$/
            #expect(
                ours.wholeMatch(of: danish) != nil && visma.wholeMatch(of: danish) != nil,
                "decimal comma: \(ours) \(visma)")
            func ore(_ text: String) -> Int64 { Int64(text.replacingOccurrences(of: ",", with: "")) ?? 0 }
            #expect(ore(visma) - ore(ours) == 1000 && ore(ours) == credit, "\(ours) → \(visma)")

            // Days after the edited one agree; a range the wrong way round is a usage error.
            let later = try await Self.reconcile(venue, ["--from", "2026-11-23", "--to", "2026-11-28"])
            #expect(later.status == 0, "\(later.standardOutput.suffix(2000))")
            #expect(try await Self.reconcile(venue, ["--from", "2026-11-28", "--to", "2026-11-23"]).status == 64)

            let page = try String(contentsOf: html, encoding: .utf8)
            #expect(page.contains("<h2>Reconciliation with Visma</h2>") && page.contains("changed in Visma"))
            // Reconcile never halts the pipeline.
            #expect(!FileManager.default.fileExists(atPath: venue.root.state.appendingPathComponent("halt.json").path))
            #expect(try venue.run(["status"]).standardOutput.contains("Running normally"))
        }
    }

    @Test func aDeletedJournalAHandBookedOneWithOurReferenceAVoidedPaymentAndADeletedItemAreEachFound() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await Self.bookedWeek(simulator)
            let deletedKey = "POS20261123-1"
            let deleted = try await Self.journalNumber(simulator, key: deletedKey)
            #expect(try await Self.admin(simulator, "DELETE", "records/journalTransaction/\(deleted)") == 200)
            #expect(try await Self.admin(simulator, "DELETE", "records/inventory/1004") == 200)

            let extra = try await VismaTestClient(baseURL: simulator.baseURL)
                .send(
                    "POST", "/_simulator/hand-journal",
                    json: Self.handJournal(day: "2026-11-24", reference: "POS20261124-1"), record: false)
            #expect(extra.status == 201, "\(extra.message)")
            let extraNumber = try #require(extra.jsonObject["batchNumber"] as? String)

            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            let payments = try await StrictCompanyNightsTests.records(simulator, "customerPayment")
            // A deposit (Visma: prepayment) no refund is applied to: Visma voids only those.
            let applied = Set(
                payments.flatMap {
                    ($0["paymentLines"] as? [[String: Any]] ?? []).compactMap { $0["refNbr"] as? String }
                })
            let deposit = try #require(
                payments.first {
                    $0["type"] as? String == "Prepayment" && !applied.contains($0["refNbr"] as? String ?? "")
                })
            let paymentNumber = try #require(deposit["refNbr"] as? String)
            let paymentKey = try #require(deposit["paymentRef"] as? String)
            let void = try await client.post(
                "/v1/customerPayment/\(paymentNumber)/action/void", "{\"type\": {\"value\": \"Prepayment\"}}")
            #expect(void.status == 200, "\(void.message)")

            let result = try await Self.reconcile(venue)
            let output = result.standardOutput
            #expect(result.status == 1, "\(output.suffix(2000)) \(result.standardError.suffix(1000))")
            #expect(output.contains("missing in Visma: journal \(deletedKey) (2026-11-23)"), "\(output)")
            #expect(
                output.contains("booked in our name, unknown to us: journal \(extraNumber) (2026-11-24"), "\(output)")
            #expect(output.contains("carries our reference POS20261124-1"))
            #expect(output.contains("missing in Visma: inventory 1004 (Visma 1004)"), "\(output)")
            #expect(
                output.contains("changed in Visma: payment \(paymentKey) (Visma \(paymentNumber)")
                    && output.contains("was voided in Visma"), "\(output)")
            // The day of the hand-booked journal still agrees: it is reported once, on its own.
            #expect(!output.contains("changed in Visma: journal") && !output.contains("day total differs"), "\(output)")
        }
    }

    @Test func aRepostedDayReversedAndCorrectedReconcilesAsAgreeing() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await Self.bookedWeek(simulator)
            try RepostTests.correctReceipt(in: venue)
            let reposted = try await offCooperativePool {
                try venue.run([
                    "repost", "--day", RepostTests.day, "--department", "cafe", "--reason",
                    "receipt 100001 was rung up wrong",
                ])
            }
            #expect(
                reposted.status == 0 && reposted.standardOutput.contains("reversed by"),
                "\(reposted.standardOutput.suffix(1500))")
            #expect(try await RepostTests.journals(simulator, key: RepostTests.key).count == 3)
            let result = try await Self.reconcile(venue)
            #expect(result.status == 0, "\(result.standardOutput.suffix(2000)) \(result.standardError.suffix(1000))")
            // The original's voucher on the original, the repost's on the correction.
            #expect(
                result.standardOutput.contains(
                    "Visma agrees with what FlexyVisma booked: 14 journal(s), 30 voucher(s)"),
                "\(result.standardOutput)")
        }
    }

    @Test func aRepostedDayUpdatedInPlaceReconcilesAsAgreeing() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await RepostTests.unreleasedWeek(simulator)
            try RepostTests.correctReceipt(in: venue)
            let reposted = try await offCooperativePool {
                try venue.run(["repost", "--day", RepostTests.day, "--reason", "receipt 100001 corrected"])
            }
            #expect(
                reposted.status == 0 && reposted.standardOutput.contains("updated in place"),
                "\(reposted.standardOutput.suffix(1500))")
            let result = try await Self.reconcile(venue)
            #expect(result.status == 0, "\(result.standardOutput.suffix(2000)) \(result.standardError.suffix(1000))")
        }
    }

    @Test func aVoucherRemovedFromItsJournalAndOneReplacedByALaterRevisionAreEachFound() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try await Self.bookedWeek(simulator)
            let removedFrom = try await Self.journalNumber(simulator, key: RepostTests.key)
            let replacedOn = try await Self.journalNumber(simulator, key: "POS20261123-1")
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            let listed = try await client.attachments(onJournal: removedFrom)
            let voucher = try #require(listed.first { ($0["name"] as? String)?.hasSuffix(".pdf") == true })
            let id = try #require(voucher["id"] as? String)
            #expect(try await Self.admin(simulator, "DELETE", "records/attachment/\(id)") == 200)
            // Somebody posts another file under our voucher's name: Visma keeps it as revision 2 and shows it.
            let replaced = try await CurlSession(timeoutMilliseconds: 60_000).send(
                HTTPRequest(
                    method: "POST",
                    url: simulator.baseURL + "/v2/journaltransaction/module/GL/\(replacedOn)/attachment",
                    headers: [("Authorization", "Bearer \(try #require(client.token))")],
                    form: [
                        FormPart(
                            name: "file", fileName: "bilag-POS20261123-1.pdf", contentType: "application/pdf",
                            data: Data("%PDF-1.5 en anden side".utf8))
                    ]))
            #expect(replaced.status == 201)

            let csv = venue.folder.path("vouchers.csv")
            let result = try await Self.reconcile(venue, ["--csv", csv.path])
            let output = result.standardOutput
            #expect(result.status == 1, "\(output.suffix(2000)) \(result.standardError.suffix(1000))")
            #expect(
                output.contains(
                    "missing in Visma: voucher bilag-\(RepostTests.key).pdf is no longer attached to journal \(removedFrom) in Visma (attachment \(id))"
                ), "\(output)")
            #expect(
                output.contains(
                    "changed in Visma: voucher bilag-POS20261123-1.pdf on journal \(replacedOn) is in revision 2 in Visma"
                ),
                "\(output)")
            #expect(output.contains("2 difference(s): 14 journal(s), 28 voucher(s)"), "\(output)")
            let rows = String(decoding: try Data(contentsOf: csv).dropFirst(3), as: UTF8.self)
            #expect(rows.contains(";POS20261123-1;2026-11-23;Café;revision 2;;;"), "\(rows)")
            #expect(
                rows.contains(
                    "missing in Visma;voucher;\(RepostTests.key)/bilag-\(RepostTests.key).pdf;\(removedFrom);\(RepostTests.day);Café;;;;"
                ), "\(rows)")
        }
    }

    @Test func vismaOutOfReachEndsInTemporaryFailure() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let venue = try Venue(simulator: simulator, corrected: true)
            var configuration = try PipelineConfiguration.load(from: venue.root)
            configuration.visma.baseURL = "http://127.0.0.1:9/controller/api"
            configuration.visma.tokenURL = "http://127.0.0.1:9/connect/token"
            try configuration.encoded().write(to: venue.root.configFile)
            let result = try await Self.reconcile(venue)
            #expect(result.status == 75, "\(result.standardOutput) \(result.standardError)")
        }
    }
}

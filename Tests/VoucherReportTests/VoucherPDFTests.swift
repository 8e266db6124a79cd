import FlexyVismaCore
import Foundation
import TestSupport
import Testing

@testable import VoucherReport

/// A day voucher with Danish letters in its department, item groups and tenders.
func sampleVoucher(day: String = "2026-11-23") -> DayVoucher {
    DayVoucher(
        venue: "Café Havnegade", department: "Café", branch: "1", businessDay: day, journalKey: "POS20261123-1",
        batchId: "20261124T020000Z-abc123", receiptsFile: "receipts-cafe-\(day).xml",
        receiptsSha256: String(repeating: "ab", count: 32), receipts: 42, firstReceipt: 1001, lastReceipt: 1042,
        sales: [
            .init(itemGroup: "Smørrebrød", vatCode: "S25", ratePercent: 25, gross: 123_450),
            .init(itemGroup: "Øl og vand", vatCode: "S25", ratePercent: 25, gross: 56_780),
            .init(itemGroup: "Blåbærkage", vatCode: "S25", ratePercent: 25, gross: -1_250),
        ],
        vat: [.init(vatCode: "S25", ratePercent: 25, vat: 35_796)],
        tenders: [.init(type: "Kort", amount: 150_000), .init(type: "Kontant", amount: 28_980)],
        discounts: 2_000, refunds: 1_250)
}

/// One receipt as its own journal's voucher (`journalPerReceipt`); its receipts file went with an earlier receipt.
func sampleReceiptVoucher() -> DayVoucher {
    var voucher = sampleVoucher(day: "2026-11-22")
    voucher.scope = .receipt
    voucher.journalKey = "POS-R100001"
    voucher.receiptsAttachedTo = "POS-R100000"
    voucher.receipts = 1
    voucher.firstReceipt = 100_001
    voucher.lastReceipt = 100_001
    voucher.sales = [
        .init(itemGroup: "Smørrebrød", vatCode: "S25", ratePercent: 25, gross: 18_950),
        .init(itemGroup: "Blåbærkage", vatCode: "S25", ratePercent: 25, gross: 4_500),
    ]
    voucher.vat = [.init(vatCode: "S25", ratePercent: 25, vat: 4_690)]
    voucher.tenders = [.init(type: "Kort", amount: 23_450)]
    voucher.discounts = 500
    voucher.refunds = 0
    return voucher
}

/// The pages of a PDF: its `/Type /Page` objects (not the `/Type /Pages` tree).
func pageCount(_ pdf: Data) -> Int {
    String(decoding: pdf, as: UTF8.self).components(separatedBy: "/Type /Page").dropFirst().filter {
        !$0.hasPrefix("s")
    }
    .count
}

/// Text of a PDF through poppler's `pdftotext` (installed by Scripts/setup); where it is missing, a recorded issue and nil.
func pdfText(_ data: Data) throws -> String? {
    let tool = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    guard let tool else {
        Issue.record("pdftotext is not installed (Scripts/setup installs poppler-utils): the text could not be checked")
        return nil
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("voucher-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let pdf = folder.appendingPathComponent("v.pdf")
    try data.write(to: pdf)
    let result = try ChildProcess.run(URL(fileURLWithPath: tool), ["-layout", "-enc", "UTF-8", pdf.path, "-"])
    #expect(result.status == 0, "\(result)")
    return result.standardOutput
}

@Suite struct VoucherPDFTests {
    @Test func theVoucherIsOnePagePDFWhoseTextHoldsDanishLettersTotalsAndTheReceiptsHash() throws {
        let voucher = sampleVoucher()
        let pdf = try VoucherRenderer.pdf(voucher)
        #expect(pdf.starts(with: Data("%PDF-".utf8)))
        #expect(pageCount(pdf) == 1)
        guard let text = try pdfText(pdf) else { return }
        for expected in [
            "Smørrebrød", "Øl og vand", "Blåbærkage", "Dagens omsætning i alt", "1.789,80", "Moms i alt", "357,96",
            "Betalinger i alt",
            "1.789,80", "Antal kvitteringer", "42", "1001", "1042", "Givne rabatter", "20,00",
            "Returneringer og refusioner", "12,50",
            voucher.receiptsSha256, voucher.batchId, "Café",
        ] {
            #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
        }
    }

    @Test func aReceiptsVoucherSaysWhichReceiptItIsItsTotalsAndWhereTheReceiptsFileIs() throws {
        let voucher = sampleReceiptVoucher()
        let pdf = try VoucherRenderer.pdf(voucher)
        #expect(pageCount(pdf) == 1)
        guard let text = try pdfText(pdf) else { return }
        for expected in [
            "Bilag: kvittering 100001, 2026-11-22", "Kladde (Ref. nr.) POS-R100001", "Kvittering nr.", "100001",
            "Smørrebrød", "189,50", "Blåbærkage", "45,00", "Kvitteringens omsætning i alt", "234,50", "Moms i alt",
            "46,90", "Kort", "Betalinger i alt", "Givne rabatter", "5,00", "Café",
            "receipts-cafe-2026-11-22.xml (vedhæftet som bilag til POS-R100000)", voucher.receiptsSha256,
            voucher.batchId,
        ] {
            #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
        }
        for dayOnly in ["dagsrapport", "Dagens omsætning", "Antal kvitteringer"] {
            #expect(!text.contains(dayOnly), "a receipt's voucher says \(dayOnly):\n\(text)")
        }
        #expect(try VoucherRenderer.pdf(sampleVoucher()) != pdf)
    }

    @Test func theSameVoucherGivesTheSameBytesAndItsDatesAreTheBusinessDay() throws {
        let first = try VoucherRenderer.pdf(sampleVoucher())
        Thread.sleep(forTimeInterval: 1.1)  // a time-stamped PDF would differ after a second
        let second = try VoucherRenderer.pdf(sampleVoucher())
        #expect(first == second)
        let raw = String(decoding: first.map { $0 < 0x80 ? $0 : 0x3F }, as: UTF8.self)
        // Cairo 1.16 (Debian 12) writes the date without PDF's `D:` prefix; poppler's pdfinfo still reads it.
        #expect(raw.contains("/CreationDate (20261123000000Z)") || raw.contains("/CreationDate (D:20261123000000Z)"))
        #expect(raw.contains("/ModDate (20261123000000Z)") || raw.contains("/ModDate (D:20261123000000Z)"))
        #expect(try VoucherRenderer.pdf(sampleVoucher(day: "2026-11-24")) != first)
    }

    @Test func aRepostsVoucherSaysItIsACorrectionWhoAskedAndWhyOnOnePage() throws {
        var voucher = sampleVoucher()
        let reason =
            "kvittering 1001 var slået forkert ind; " + String(repeating: "rettet i FlexyBox af Søren ", count: 17)
        voucher.repost = .init(reason: reason, requestedBy: "bogholder")
        let pdf = try VoucherRenderer.pdf(voucher)
        #expect(pageCount(pdf) == 1)
        guard let text = try pdfText(pdf) else { return }
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for expected in ["(rettelse)", "Genbogføring", "Bestilt af bogholder", "det tidligere bilag", reason] {
            #expect(
                words.contains(expected.split(separator: " ").joined(separator: " ")),
                "missing \(expected) in:\n\(text)")
        }
        #expect(try pdfText(VoucherRenderer.pdf(sampleVoucher()))?.contains("rettelse") == false)
    }

    @Test func aDayOfManyItemGroupsGoesOnOverTheNextPageInsteadOfFailing() throws {
        var voucher = sampleVoucher()
        voucher.sales = (1...90).map {
            .init(itemGroup: "Varegruppe \($0)", vatCode: "S25", ratePercent: 25, gross: 1_000)
        }
        let pdf = try VoucherRenderer.pdf(voucher)
        #expect(pageCount(pdf) == 3)
        guard let text = try pdfText(pdf) else { return }
        #expect(
            text.contains("Varegruppe 90") && text.contains("Dagens omsætning i alt")
                && text.contains(voucher.receiptsSha256))
    }

    @Test func aLongReasonIsBrokenAtSpacesIntoLinesThatFitThePage() {
        let reason = "en " + String(repeating: "x", count: 170) + " to tre"
        let lines = VoucherLayout.wrapped(reason, width: 80)
        #expect(
            lines == [
                "en", String(repeating: "x", count: 80), String(repeating: "x", count: 80),
                String(repeating: "x", count: 10) + " to tre",
            ])
        #expect(VoucherLayout.wrapped("", width: 80).isEmpty)
    }

    @Test func amountsReadTheDanishWay() {
        #expect(DayVoucher.danish(0) == "0,00")
        #expect(DayVoucher.danish(5) == "0,05")
        #expect(DayVoucher.danish(123_456_789) == "1.234.567,89")
        #expect(DayVoucher.danish(-100_000) == "-1.000,00")
    }

    @Test func aCharacterTheFontLacksPrintsAsAQuestionMarkInsteadOfSilentlyDropped() throws {
        var voucher = sampleVoucher()
        voucher.department = "Café \u{E000}sushi"  // a private-use code point: no font has it
        voucher.repost = .init(reason: "emoji 🍣 i varegruppen", requestedBy: "bogholder")
        let pdf = try VoucherRenderer.pdf(voucher)
        guard let text = try pdfText(pdf) else { return }
        #expect(text.contains("Café ?sushi"), "\(text)")
        #expect(text.contains("emoji ? i varegruppen"), "\(text)")
        #expect(text.contains("Smørrebrød"))
    }
}

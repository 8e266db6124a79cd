import DropFormats
import Foundation
import TestSupport
import Testing

@Suite struct CSVReaderTests {
    func rows(_ bytes: [UInt8], chunkSize: Int = 1 << 20) throws -> (dialect: CSVDialect, rows: [CSVRow]) {
        let folder = try TemporaryFolder()
        let file = folder.path("input.csv")
        try Data(bytes).write(to: file)
        let reader = try CSVReader(url: file, chunkSize: chunkSize)
        var rows: [CSVRow] = []
        while let row = try reader.next() { rows.append(row) }
        return (reader.dialect, rows)
    }

    func rows(_ text: String, chunkSize: Int = 1 << 20) throws -> [CSVRow] {
        try rows(Array(text.utf8), chunkSize: chunkSize).rows
    }

    @Test func quotedFieldsKeepSeparatorsQuotesAndNewlines() throws {
        let text = "a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,,\"\"\n"
        let parsed = try rows(text)
        #expect(parsed.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["last", "", ""]])
        #expect(parsed.map(\.line) == [1, 2, 4])
    }

    @Test func crlfAndLFAndAMissingFinalNewlineGiveTheSameRecords() throws {
        let expected = [["h1", "h2"], ["1", "2"], ["3", "4"]]
        #expect(try rows("h1,h2\r\n1,2\r\n3,4\r\n").map(\.fields) == expected)
        #expect(try rows("h1,h2\n1,2\n3,4").map(\.fields) == expected)
        #expect(try rows("h1,h2\r\n1,2\r\n3,4").map(\.fields) == expected)
    }

    @Test func byteOrderMarkIsIgnored() throws {
        let parsed = try rows([0xEF, 0xBB, 0xBF] + Array("item_number,name\n1,Kaffe\n".utf8))
        #expect(parsed.rows.first?.fields == ["item_number", "name"])
    }

    @Test func danishExcelDialectIsDetectedFromTheHeader() throws {
        let parsed = try rows([0xEF, 0xBB, 0xBF] + Array("a;b;c\r\n\"1;2\";3,50;x\r\n".utf8))
        #expect(parsed.dialect == .danishExcel)
        #expect(parsed.rows.map(\.fields) == [["a", "b", "c"], ["1;2", "3,50", "x"]])
        #expect(try self.rows(Array("a,b\n1;2,3\n".utf8)).dialect == .standard)
    }

    @Test func recordsSpanningChunkBoundariesAreWhole() throws {
        let text = (1...200).map { "\($0),\"value \($0), quoted\",\($0 * 2)" }.joined(separator: "\r\n")
        let parsed = try rows(text, chunkSize: 7)
        #expect(parsed.count == 200)
        #expect(parsed[199].fields == ["200", "value 200, quoted", "400"])
        #expect(parsed[199].line == 200)
    }

    @Test func invalidUTF8IsReportedWithLineAndByteOffset() throws {
        let sample = Repository.invalidDrops.appendingPathComponent("payments-latin1.csv")
        let reader = try CSVReader(url: sample)
        _ = try reader.next()
        let error = #expect(throws: CSVSyntaxError.self) { try reader.next() }
        #expect(error?.kind == .invalidUTF8)
        #expect(error?.line == 2)
        #expect(error?.column == 8)
        #expect(error?.byteOffset == 137)
        #expect(error?.hint.contains("CSV UTF-8") == true)
    }

    @Test func unterminatedQuoteIsReportedWhereItOpened() throws {
        let sample = Repository.invalidDrops.appendingPathComponent("payments-unterminated-quote.csv")
        let reader = try CSVReader(url: sample)
        _ = try reader.next()
        let error = #expect(throws: CSVSyntaxError.self) { try reader.next() }
        #expect(error?.kind == .unterminatedQuote)
        #expect(error?.line == 2)
        #expect(error?.column == 8)
    }

    @Test func textAfterAClosingQuoteIsAnError() throws {
        #expect(throws: CSVSyntaxError.self) { try rows("a,b\n\"x\"y,z\n") }
    }

    @Test func writerOutputReadsBackIdentically() throws {
        let folder = try TemporaryFolder()
        let file = folder.path("out.csv")
        let records = [
            ["plain", "with, comma", "with \"quotes\""], ["multi\nline", " padded ", "semi;colon"], ["", "Æblekage", "ø"],
        ]
        let writer = try CSVWriter(creating: file)
        try writer.writeHeader(["a", "b", "c"])
        for record in records { try writer.writeRecord(record) }
        try writer.finish()
        #expect(writer.records == 3)
        let reader = try CSVReader(url: file)
        var read: [[String]] = []
        while let row = try reader.next() { read.append(row.fields) }
        #expect(read == [["a", "b", "c"]] + records)
    }
}

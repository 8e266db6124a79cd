import DropFormats
import FlexyVismaCore
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
            ["plain", "with, comma", "with \"quotes\""], ["multi\nline", " padded ", "semi;colon"],
            ["", "Æblekage", "ø"],
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

    @Test func anyChunkSizeReadsTheSameRecordsAndErrorsAsOneChunk() throws {
        // Seeded fragments that stress every branch: quotes, doubled quotes, separators and line
        // breaks inside quotes, CR, CRLF, LF, multi-byte UTF-8 cut at a chunk edge, empty fields.
        let fragments = [
            "a", "Æblekage", "€", "12,50", "\"q,\"", "\"x\"\"y\"", "\"multi\nline\"", "\"cr\r\nlf\"", "", " ", "ø;ø",
            "\"\"",
        ]
        var generator = SeededGenerator(seed: 42)  // seeded: a failing round can be replayed
        for round in 0..<40 {
            var text = ""
            for _ in 0..<(1 + Int(generator.next() % 30)) {
                let fields = (0..<(1 + Int(generator.next() % 5))).map { _ in
                    fragments[Int(generator.next() % UInt64(fragments.count))]
                }
                text += fields.joined(separator: ",") + ["\n", "\r\n", "\r", "\n\n"][Int(generator.next() % 4)]
            }
            if round % 5 == 0 { text += "tail,\"open" }  // an unterminated quote at the end
            let whole = try readAll(Array(text.utf8), chunkSize: 1 << 20)
            for chunkSize in 1...13 {
                #expect(
                    try readAll(Array(text.utf8), chunkSize: chunkSize) == whole,
                    "round \(round), chunks of \(chunkSize)")
            }
        }
    }

    /// Every record's line and fields, then the error that ended the file (or "end").
    private func readAll(_ bytes: [UInt8], chunkSize: Int) throws -> [String] {
        let folder = try TemporaryFolder()
        let file = folder.path("fuzz.csv")
        try Data(bytes).write(to: file)
        // The dialect is given: detecting it needs the header line in the first chunk.
        let reader = try CSVReader(url: file, dialect: .standard, chunkSize: chunkSize)
        var read: [String] = []
        do {
            while let row = try reader.next() { read.append("\(row.line): \(row.fields)") }
            read.append("end")
        } catch {
            read.append("\(error)")
        }
        return read
    }
}

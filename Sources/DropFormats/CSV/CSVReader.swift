import FlexyVismaCore
import Foundation

/// The two CSV dialects of the drop contract (docs/ARCHITECTURE.md, "Drop files").
public enum CSVDialect: Sendable, Equatable {
    /// RFC 4180: comma separator, dot decimals.
    case standard
    /// Danish Excel: semicolon separator, decimal comma, optional dot thousands.
    case danishExcel

    public var separator: UInt8 { self == .standard ? UInt8(ascii: ",") : UInt8(ascii: ";") }
    public var decimalComma: Bool { self == .danishExcel }
}

/// One CSV record with the 1-based line on which it starts.
public struct CSVRow: Sendable, Equatable {
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A CSV file that cannot be read as CSV, with its position.
public struct CSVSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, RuleCatalog {
        case unterminatedQuote = "csv.unterminated-quote"
        case textAfterClosingQuote = "csv.text-after-quote"
        case invalidUTF8 = "csv.invalid-utf8"
        case lineTooLong = "csv.line-too-long"

        public static let title = "Reading CSV"

        public var meaning: String {
            switch self {
            case .unterminatedQuote: "a quoted field is never closed; the reading stops there"
            case .textAfterClosingQuote: "text follows a closing quote inside a field; the reading stops there"
            case .invalidUTF8: "the bytes are not UTF-8 (saved in another encoding?); the reading stops there"
            case .lineTooLong: "a line longer than the reader takes; the reading stops there"
            }
        }
    }

    public var kind: Kind
    public var line: Int
    public var column: Int
    /// Byte offset from the start of the file.
    public var byteOffset: Int64

    public var message: String {
        switch kind {
        case .unterminatedQuote: "a quoted field is never closed"
        case .textAfterClosingQuote: "text follows a closing quote inside a field"
        case .invalidUTF8: "the file is not valid UTF-8 (byte offset \(byteOffset))"
        case .lineTooLong: "a record is longer than the limit"
        }
    }

    public var hint: String {
        switch kind {
        case .unterminatedQuote: "close the quote, or write a quote inside a quoted field as two quotes (\"\")"
        case .textAfterClosingQuote: "put the whole field in quotes and double any quote inside it"
        case .invalidUTF8: "in Excel choose Save As → \"CSV UTF-8 (comma delimited)\""
        case .lineTooLong: "split the record; a field this long is not a FlexyBox value"
        }
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A streaming RFC 4180 reader over bytes: quotes, doubled quotes, CRLF or LF, newlines inside
/// quotes, a UTF-8 BOM, a last record without a newline. Memory stays flat: one chunk and one
/// record at a time.
public final class CSVReader {
    public let dialect: CSVDialect
    /// All mutable state lives in one struct, touched once per record: per-byte access to a
    /// class's stored properties would pay a dynamic exclusivity check on every byte.
    private var scanner: Scanner

    /// Opens `url`; the dialect is detected from the header line when not given.
    public init(
        url: URL, dialect: CSVDialect? = nil, chunkSize: Int = 1 << 20, maximumRecordBytes: Int = 1 << 20
    ) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw FileFailure(operation: "read", path: url.path)
        }
        var scanner = Scanner(handle: handle, chunkSize: chunkSize, maximumRecordBytes: maximumRecordBytes)
        try scanner.start()
        self.dialect = dialect ?? CSVReader.detectDialect(headerBytes: scanner.remainingChunk)
        scanner.separator = self.dialect.separator
        self.scanner = scanner
    }

    deinit { try? scanner.handle.close() }

    /// The next record, or nil at the end of the file. Blank lines between records are skipped.
    public func next() throws -> CSVRow? { try scanner.nextRecord() }

    /// Semicolons outside quotes in the first line, and more of them than commas: Danish Excel.
    public static func detectDialect<Bytes: Collection>(headerBytes: Bytes) -> CSVDialect
    where Bytes.Element == UInt8 {
        var commas = 0
        var semicolons = 0
        var quoted = false
        for byte in headerBytes {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if quoted { continue }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            if byte == UInt8(ascii: ",") { commas += 1 }
            if byte == UInt8(ascii: ";") { semicolons += 1 }
        }
        return semicolons > commas ? .danishExcel : .standard
    }

    /// Index of the first byte that is not part of valid UTF-8 (the count when all are valid).
    static func firstInvalidUTF8Index(_ bytes: [UInt8]) -> Int {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var index = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): index += scalar.count
            case .emptyInput: return index
            case .error: return index
            }
        }
    }
}

/// The reader's state machine over the current chunk.
private struct Scanner {
    let handle: FileHandle
    let chunkSize: Int
    let maximumRecordBytes: Int
    var separator = UInt8(ascii: ",")
    private var chunk: [UInt8] = []
    private var position = 0
    private var consumedBefore: Int64 = 0
    private var line = 1
    private var atEnd = false
    // The record being read.
    private var fields: [String] = []
    private var field: [UInt8] = []
    private var fieldWasQuoted = false
    private var fieldStart: Int64 = 0
    private var fieldStartLine = 1

    init(handle: FileHandle, chunkSize: Int, maximumRecordBytes: Int) {
        self.handle = handle
        self.chunkSize = chunkSize
        self.maximumRecordBytes = maximumRecordBytes
    }

    /// Reads the first chunk and steps over a byte order mark.
    mutating func start() throws {
        try refill()
        if chunk.count >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF { position = 3 }
    }

    var remainingChunk: ArraySlice<UInt8> { chunk[position...] }

    private var offset: Int64 { consumedBefore + Int64(position) }

    private mutating func refill() throws {
        consumedBefore += Int64(chunk.count)
        let data = try handle.read(upToCount: chunkSize) ?? Data()
        chunk = Array(data)
        position = 0
        if data.isEmpty { atEnd = true }
    }

    @inline(__always)
    private mutating func nextByte() throws -> UInt8? {
        if position >= chunk.count {
            if atEnd { return nil }
            try refill()
            if atEnd { return nil }
        }
        let byte = chunk[position]
        position += 1
        return byte
    }

    @inline(__always)
    private mutating func peekByte() throws -> UInt8? {
        if position >= chunk.count {
            if atEnd { return nil }
            try refill()
            if atEnd { return nil }
        }
        return chunk[position]
    }

    /// How many bytes from `start` in the current chunk are ordinary field bytes (no separator,
    /// quote or line break).
    private func runLength(from start: Int) -> Int {
        let separator = separator
        return chunk.withUnsafeBufferPointer { bytes in
            var end = start
            while end < bytes.count {
                let byte = bytes[end]
                if byte == separator || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n")
                    || byte == UInt8(ascii: "\r")
                {
                    break
                }
                end += 1
            }
            return end - start
        }
    }

    private mutating func finishField() throws {
        // Most fields are ASCII, which is valid UTF-8 as it stands: skip the general validation.
        if !field.contains(where: { $0 >= 0x80 }) {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
            fieldStart = offset
            fieldStartLine = line
            return
        }
        guard let text = String(validating: field, as: UTF8.self) else {
            let invalidAt = CSVReader.firstInvalidUTF8Index(field) + (fieldWasQuoted ? 1 : 0)
            throw CSVSyntaxError(
                kind: .invalidUTF8, line: fieldStartLine, column: fields.count + 1,
                byteOffset: fieldStart + Int64(invalidAt))
        }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
        fieldWasQuoted = false
        fieldStart = offset
        fieldStartLine = line
    }

    mutating func nextRecord() throws -> CSVRow? {
        let quote = UInt8(ascii: "\"")
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        while true {
            guard var byte = try nextByte() else { return nil }
            if byte == newline {
                line += 1
                continue
            }
            if byte == carriageReturn {
                if try peekByte() == newline { _ = try nextByte() }
                line += 1
                continue
            }
            let startLine = line
            fields = []
            fields.reserveCapacity(16)
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
            fieldStart = offset - 1
            fieldStartLine = line
            var recordBytes = 0
            var inQuotes = false
            while true {
                recordBytes += 1
                if recordBytes > maximumRecordBytes {
                    throw CSVSyntaxError(
                        kind: .lineTooLong, line: startLine, column: fields.count + 1, byteOffset: offset)
                }
                if inQuotes {
                    if byte == quote {
                        if try peekByte() == quote {
                            _ = try nextByte()
                            field.append(quote)
                        } else {
                            inQuotes = false
                        }
                    } else {
                        if byte == newline { line += 1 }
                        if byte == carriageReturn, try peekByte() != newline { line += 1 }
                        field.append(byte)
                    }
                } else if byte == separator {
                    try finishField()
                } else if byte == newline || byte == carriageReturn {
                    if byte == carriageReturn, try peekByte() == newline { _ = try nextByte() }
                    try finishField()
                    line += 1
                    return CSVRow(line: startLine, fields: fields)
                } else if byte == quote, field.isEmpty, !fieldWasQuoted {
                    inQuotes = true
                    fieldWasQuoted = true
                } else if fieldWasQuoted {
                    throw CSVSyntaxError(
                        kind: .textAfterClosingQuote, line: line, column: fields.count + 1, byteOffset: offset - 1)
                } else {
                    // The rest of an unquoted field within this chunk, appended as one run rather
                    // than byte by byte: most of a large file is such runs.
                    let run = runLength(from: position)
                    recordBytes += run
                    field.append(byte)
                    field.append(contentsOf: chunk[position..<position + run])
                    position += run
                }
                guard let following = try nextByte() else {
                    if inQuotes {
                        throw CSVSyntaxError(
                            kind: .unterminatedQuote, line: startLine, column: fields.count + 1, byteOffset: offset)
                    }
                    try finishField()
                    return CSVRow(line: startLine, fields: fields)
                }
                byte = following
            }
        }
    }
}

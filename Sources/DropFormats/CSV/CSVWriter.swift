import FlexyVismaCore
import Foundation

/// Writes RFC 4180 CSV (comma, CRLF, quotes only where needed) through a buffered, synced file.
public final class CSVWriter {
    private let output: BufferedFileWriter
    public private(set) var records = 0

    public init(creating url: URL) throws {
        output = try BufferedFileWriter(creating: url)
    }

    public func writeHeader(_ names: [String]) throws {
        try writeFields(names)
    }

    /// Writes one data record (the header does not count as a record).
    public func writeRecord(_ fields: [String]) throws {
        try writeFields(fields)
        records += 1
    }

    private func writeFields(_ fields: [String]) throws {
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(",") }
            line.append(CSVWriter.escape(field))
        }
        line.append("\r\n")
        try output.write(line)
    }

    /// Flushes and syncs; returns the bytes written.
    @discardableResult
    public func finish() throws -> Int64 {
        try output.finish()
        return output.bytesWritten
    }

    public static func escape(_ field: String) -> String {
        let needsQuotes =
            field.utf8.contains { byte in
                byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n")
                    || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: ";")
            } || field.first == " " || field.last == " "
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

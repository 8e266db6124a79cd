import FlexyVismaCore
import Foundation

/// Writes the drop XML formats element by element, escaping every attribute value.
public final class XMLMarkupWriter {
    private let output: BufferedFileWriter
    private var openElements: [String] = []

    public init(creating url: URL) throws {
        output = try BufferedFileWriter(creating: url)
        try output.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
    }

    /// Opens `<name a="…">`; attributes with nil values are left out.
    public func open(_ name: String, _ attributes: [(String, String?)] = []) throws {
        try output.write(indent + "<" + name + XMLMarkupWriter.attributeText(attributes) + ">\n")
        openElements.append(name)
    }

    /// Writes an empty element `<name a="…"/>`.
    public func empty(_ name: String, _ attributes: [(String, String?)]) throws {
        try output.write(indent + "<" + name + XMLMarkupWriter.attributeText(attributes) + "/>\n")
    }

    public func close() throws {
        guard let name = openElements.popLast() else { return }
        try output.write(indent + "</" + name + ">\n")
    }

    /// Closes what is still open, flushes and syncs; returns the bytes written.
    @discardableResult
    public func finish() throws -> Int64 {
        while !openElements.isEmpty { try close() }
        try output.finish()
        return output.bytesWritten
    }

    private var indent: String { String(repeating: "  ", count: openElements.count) }

    static func attributeText(_ attributes: [(String, String?)]) -> String {
        var text = ""
        for (name, value) in attributes {
            guard let value else { continue }
            text += " \(name)=\"\(escape(value))\""
        }
        return text
    }

    public static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "\n": escaped += "&#10;"
            case "\r": escaped += "&#13;"
            case "\t": escaped += "&#9;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}

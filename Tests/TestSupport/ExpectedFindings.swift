import Foundation

/// One line of a `Samples/drops/invalid/NAME.errors` file: `LINE:COLUMN RULE-ID  explanation`.
public struct ExpectedFinding: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var rule: String

    public var description: String { "\(line):\(column) \(rule)" }

    public static func load(besides file: URL) throws -> [ExpectedFinding] {
        let url = file.deletingPathExtension().appendingPathExtension("errors")
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
            let parts = line.split(separator: " ", maxSplits: 1)
            let position = parts[0].split(separator: ":")
            guard parts.count == 2, position.count == 2, let row = Int(position[0]), let column = Int(position[1])
            else { return nil }
            let rule = parts[1].split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            return ExpectedFinding(line: row, column: column, rule: rule)
        }
    }
}

import Foundation

/// One thing wrong in a configuration file, at its JSON path.
public struct ConfigurationProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// Like `pipeline.receiptsPosting`, `departments.Café.brnch` or `customers.requiredFields[2]`; empty for the document.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public init(at codingPath: [any CodingKey], _ message: String) {
        self.init(path: ConfigurationPath.text(codingPath), message: message)
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    /// "'x' is not one of a, b — did you mean 'y'?"
    public static func notOneOf(
        _ value: String, _ allowed: [String], at codingPath: [any CodingKey]
    ) -> ConfigurationProblem {
        ConfigurationProblem(
            at: codingPath,
            "'\(value)' is not one of \(allowed.joined(separator: ", "))\(NearestName.didYouMean(value, in: allowed))")
    }
}

/// Every problem found in one configuration file, in path order.
public struct ConfigurationProblems: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ConfigurationProblem]

    public init(_ problems: [ConfigurationProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }

    /// One line per problem, each naming the file first, for an `OperatorMessage` (exit 78).
    public func operatorMessage(file: URL) -> OperatorMessage {
        OperatorMessage(.configuration, problems.map { "\(file.path): \($0)" }.joined(separator: "\n"))
    }
}

/// JSON paths as a bookkeeper reads them: keys joined with dots, list positions in brackets.
public enum ConfigurationPath {
    public static func text(_ codingPath: [any CodingKey]) -> String {
        text(codingPath.map(Step.init))
    }

    static func text(_ steps: [Step]) -> String {
        var text = ""
        for step in steps {
            switch step {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// One step into a JSON document.
    enum Step: Hashable, Sendable {
        case key(String)
        case index(Int)

        init(_ key: any CodingKey) {
            if let index = key as? ListIndexKey {
                self = .index(index.index)
            } else if let index = key.intValue, key.stringValue == "Index \(index)" {
                self = .index(index)  // Foundation's JSONDecoder names list positions so.
            } else {
                self = .key(key.stringValue)
            }
        }
    }
}

/// A position in a JSON list, as a coding key.
struct ListIndexKey: CodingKey {
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.index = intValue }
    var stringValue: String { "[\(index)]" }
    var intValue: Int? { index }
}

/// The nearest of some names to a misspelt one, for "did you mean" hints.
public enum NearestName {
    /// The candidate closest in edit distance (ignoring case), when it is close enough to be a slip.
    public static func nearest(to text: String, in candidates: some Sequence<String>) -> String? {
        let lowered = Array(text.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, Array(candidate.lowercased()))
            if distance < best?.distance ?? Int.max { best = (candidate, distance) }
        }
        guard let best, best.distance <= max(2, best.name.count / 3) else { return nil }
        return best.name
    }

    /// " — did you mean 'x'?", or nothing when no candidate is close.
    public static func didYouMean(_ text: String, in candidates: some Sequence<String>) -> String {
        nearest(to: text, in: candidates).map { " — did you mean '\($0)'?" } ?? ""
    }

    /// Levenshtein distance: insertions, deletions and substitutions.
    public static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// A setting whose values form a closed set: decoding refuses any other value, naming the allowed
/// ones and the nearest, and the JSON Schema lists the same values.
public protocol ConfigurationChoice: RawRepresentable, CaseIterable, Codable, Sendable, Hashable
where RawValue == String {}

extension ConfigurationChoice {
    public static var allowedValues: [String] { allCases.map(\.rawValue) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw ConfigurationProblem.notOneOf(text, Self.allowedValues, at: decoder.codingPath)
        }
        self = value
    }
}

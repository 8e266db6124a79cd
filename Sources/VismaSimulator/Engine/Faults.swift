import FlexyVismaCore
import Foundation

/// Which faults to inject, at what rate (`--faults`, `POST /_simulator/faults`).
///
/// Spec: comma-separated `KIND:RATE`, e.g. `503:0.05,lost:0.02,delay:0.1@250ms`. Kinds: an HTTP
/// status (`500`, `502`, `503`, `504`: answered without applying the request), `drop` (connection
/// closed before the request is applied), `lost` (applied, then the connection closes before the
/// answer: the case that duplicates records in naive clients), `delay` (answered after a pause),
/// `token-expiry` (the caller's token expires just before the request: 401).
public struct FaultPlan: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable, Hashable, Codable {
        case status(Int)
        case drop
        case lost
        case delay(milliseconds: Int)
        case tokenExpiry

        var label: String {
            switch self {
            case .status(let code): "\(code)"
            case .drop: "drop"
            case .lost: "lost"
            case .delay: "delay"
            case .tokenExpiry: "token-expiry"
            }
        }
    }

    public struct Entry: Sendable, Equatable, Codable {
        public var kind: Kind
        public var rate: Double
    }

    public var entries: [Entry]

    public static let none = FaultPlan(entries: [])

    public init(entries: [Entry]) { self.entries = entries }

    public init(parsing spec: String) throws {
        var entries: [Entry] = []
        for part in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let pieces = part.split(separator: ":", maxSplits: 1).map(String.init)
            guard pieces.count == 2 else { throw FaultSpecError(part: part, reason: "expected KIND:RATE") }
            var rateText = pieces[1]
            var delay = 200
            if let at = rateText.firstIndex(of: "@") {
                let duration = rateText[rateText.index(after: at)...]
                guard duration.hasSuffix("ms"), let milliseconds = Int(duration.dropLast(2)), milliseconds >= 0 else {
                    throw FaultSpecError(part: part, reason: "a delay is written like @250ms")
                }
                delay = milliseconds
                rateText = String(rateText[..<at])
            }
            guard let rate = Double(rateText), rate >= 0, rate <= 1 else {
                throw FaultSpecError(part: part, reason: "the rate must be a number from 0 to 1")
            }
            let kind: Kind
            switch pieces[0] {
            case "500", "502", "503", "504": kind = .status(Int(pieces[0]) ?? 500)
            case "drop": kind = .drop
            case "lost": kind = .lost
            case "delay": kind = .delay(milliseconds: delay)
            case "token-expiry": kind = .tokenExpiry
            default: throw FaultSpecError(part: part, reason: "unknown fault kind \(pieces[0])")
            }
            entries.append(Entry(kind: kind, rate: rate))
        }
        guard entries.reduce(0, { $0 + $1.rate }) <= 1 else {
            throw FaultSpecError(part: spec, reason: "the rates add up to more than 1")
        }
        self.entries = entries
    }

    /// The fault for a draw in 0..<1, or nil: each kind owns a slice of the unit interval.
    func fault(for draw: Double) -> Kind? {
        var upper = 0.0
        for entry in entries {
            upper += entry.rate
            if draw < upper { return entry.kind }
        }
        return nil
    }

    public var description: String {
        entries.map { entry in
            if case .delay(let milliseconds) = entry.kind { return "delay:\(entry.rate)@\(milliseconds)ms" }
            return "\(entry.kind.label):\(entry.rate)"
        }.joined(separator: ",")
    }
}

public struct FaultSpecError: Error, CustomStringConvertible {
    public var part: String
    public var reason: String
    public var description: String { "fault spec '\(part)': \(reason)" }
}

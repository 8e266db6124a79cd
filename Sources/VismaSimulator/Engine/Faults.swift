import FlexyVismaCore
import Foundation

/// Which faults to inject, at what rate (`--faults`, `POST /_simulator/faults`).
///
/// Spec: comma-separated `KIND:RATE`, e.g. `503:0.05,lost:0.02,delay:0.1@250ms`. Kinds: an HTTP
/// status (`500`, `502`, `503`, `504`: answered without applying the request), `drop` (connection
/// closed before the request is applied), `lost` (applied, then the connection closes before the
/// answer: the case that duplicates records in naive clients), `delay` (answered after a pause),
/// `token-expiry` (the caller's token expires just before the request: 401), `hostile-headers` (429 with
/// `Retry-After: nan`, `X-RateLimit-Remaining: -1` and `X-RateLimit-Reset: inf`). A rate may be `#N`
/// instead: the next N matching requests, whatever the draw. `/METHOD` or `/METHOD PATH-PREFIX`
/// after an entry limits it to those requests, e.g. `lost:#1/POST /v1/customer,500:1/GET /v1/customer`.
public struct FaultPlan: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable, Hashable, Codable {
        case status(Int)
        case drop
        case lost
        case delay(milliseconds: Int)
        case tokenExpiry
        /// 429 with headers no server should send: `Retry-After: nan`, `X-RateLimit-Remaining: -1`, `X-RateLimit-Reset: inf`.
        case hostileHeaders

        var label: String {
            switch self {
            case .status(let code): "\(code)"
            case .drop: "drop"
            case .lost: "lost"
            case .delay: "delay"
            case .tokenExpiry: "token-expiry"
            case .hostileHeaders: "hostile-headers"
            }
        }
    }

    public struct Entry: Sendable, Equatable, Codable {
        public var kind: Kind
        public var rate: Double
        /// `#N`: how many more matching requests get the fault (the rate is then unused).
        public var remaining: Int?
        /// Only requests with this method (and path prefix) get the fault.
        public var method: String?
        public var pathPrefix: String?

        public init(kind: Kind, rate: Double, remaining: Int? = nil, method: String? = nil, pathPrefix: String? = nil) {
            self.kind = kind
            self.rate = rate
            self.remaining = remaining
            self.method = method
            self.pathPrefix = pathPrefix
        }

        func applies(method: String, path: String) -> Bool {
            (self.method.map { $0 == method } ?? true) && (pathPrefix.map { path.hasPrefix($0) } ?? true)
        }
    }

    public var entries: [Entry]

    public static let none = FaultPlan(entries: [])

    public init(entries: [Entry]) { self.entries = entries }

    public init(parsing spec: String) throws {
        var entries: [Entry] = []
        for part in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let scoped = part.split(separator: "/", maxSplits: 1).map(String.init)
            let scope = scoped.count > 1 ? scoped[1].split(separator: " ", maxSplits: 1).map(String.init) : []
            let pieces = scoped[0].split(separator: ":", maxSplits: 1).map(String.init)
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
            var remaining: Int?
            if rateText.hasPrefix("#") {
                guard let count = Int(rateText.dropFirst()), count >= 0 else {
                    throw FaultSpecError(part: part, reason: "a count is written like #3")
                }
                remaining = count
                rateText = "0"
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
            case "hostile-headers": kind = .hostileHeaders
            default: throw FaultSpecError(part: part, reason: "unknown fault kind \(pieces[0])")
            }
            entries.append(
                Entry(
                    kind: kind, rate: rate, remaining: remaining, method: scope.first?.uppercased(),
                    pathPrefix: scope.dropFirst().first))
        }
        for method in Set(entries.compactMap(\.method)).union([""]) {
            let applying = entries.filter { $0.method == nil || $0.method == method }
            guard applying.reduce(0, { $0 + $1.rate }) <= 1 else {
                throw FaultSpecError(part: spec, reason: "the rates add up to more than 1")
            }
        }
        self.entries = entries
    }

    /// The fault for a draw in 0..<1, or nil: a counted entry first, else each kind that applies owns a slice of the unit interval.
    mutating func fault(for draw: Double, method: String = "GET", path: String = "/") -> Kind? {
        if let index = entries.firstIndex(where: { ($0.remaining ?? 0) > 0 && $0.applies(method: method, path: path) })
        {
            entries[index].remaining? -= 1
            return entries[index].kind
        }
        var upper = 0.0
        for entry in entries where entry.remaining == nil && entry.applies(method: method, path: path) {
            upper += entry.rate
            if draw < upper { return entry.kind }
        }
        return nil
    }

    public var description: String {
        entries.map { entry in
            let rate = entry.remaining.map { "#\($0)" } ?? "\(entry.rate)"
            let scope = entry.method.map { "/\($0)" + (entry.pathPrefix.map { " \($0)" } ?? "") } ?? ""
            if case .delay(let milliseconds) = entry.kind { return "delay:\(rate)@\(milliseconds)ms\(scope)" }
            return "\(entry.kind.label):\(rate)\(scope)"
        }.joined(separator: ",")
    }
}

public struct FaultSpecError: Error, CustomStringConvertible {
    public var part: String
    public var reason: String
    public var description: String { "fault spec '\(part)': \(reason)" }
}

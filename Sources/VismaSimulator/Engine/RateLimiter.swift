import Foundation

/// Visma's rate limit: a fixed window of N requests (policy `4-fixed-window`), per company and client.
public struct RateLimit: Sendable, Equatable, Codable, CustomStringConvertible {
    public var requests: Int
    public var windowSeconds: Int

    /// Visma's historical production figure: 15,000 requests an hour.
    public static let visma = RateLimit(requests: 15_000, windowSeconds: 3_600)

    public init(requests: Int, windowSeconds: Int) {
        self.requests = requests
        self.windowSeconds = windowSeconds
    }

    /// `N/SECONDS`, e.g. `500/3600`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let requests = Int(parts[0]), let seconds = Int(parts[1]), requests > 0, seconds > 0
        else { return nil }
        self.init(requests: requests, windowSeconds: seconds)
    }

    public var description: String { "\(requests)/\(windowSeconds)" }
}

/// Counts requests in the current window.
struct FixedWindow {
    var limit: RateLimit
    private var windowStart: Date = .distantPast
    private var used = 0

    init(limit: RateLimit) { self.limit = limit }

    struct Decision {
        var allowed: Bool
        var remaining: Int
        var resetSeconds: Int
    }

    mutating func admit(at now: Date) -> Decision {
        if now.timeIntervalSince(windowStart) >= Double(limit.windowSeconds) {
            windowStart = now
            used = 0
        }
        let reset = max(
            1, Int((windowStart.addingTimeInterval(Double(limit.windowSeconds)).timeIntervalSince(now)).rounded(.up)))
        guard used < limit.requests else { return Decision(allowed: false, remaining: 0, resetSeconds: reset) }
        used += 1
        return Decision(allowed: true, remaining: limit.requests - used, resetSeconds: reset)
    }
}

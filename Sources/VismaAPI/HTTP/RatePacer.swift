import Foundation

/// Keeps the run inside Visma's rate limit from `X-RateLimit-Remaining` and `-Reset`: a request
/// leaves only while the window still has room for it beside those already in flight; otherwise
/// the worker waits for the window to reset, so a run slows down instead of meeting 429 storms.
public actor RatePacer {
    private var remaining: Int?
    private var resetAt: Date?
    private var inFlight = 0

    public init() {}

    /// Requests the window still has room for beside those in flight; nil while it is unknown.
    public var room: Int? { remaining.map { $0 - inFlight } }

    /// Waits until the current window has room, then counts the request as in flight.
    public func admit() async {
        while let room, room <= 0, let resetAt, resetAt > Date() {
            // `resetAt` is never more than `AnswerNumbers.longestWaitSeconds` ahead: the pause is finite and short.
            let pause = min(max(resetAt.timeIntervalSinceNow + 0.05, 0), AnswerNumbers.longestWaitSeconds)
            try? await Task.sleep(for: .milliseconds(Int(pause * 1000)))
            if let current = self.resetAt, current <= Date() {
                // A new window: its size is learned from the next answer.
                self.remaining = nil
                self.resetAt = nil
            }
        }
        inFlight += 1
    }

    /// An answer arrived: the window as Visma counts it now.
    ///
    /// Answers to parallel requests arrive out of order, so within one window the smallest
    /// `Remaining` and the earliest reset seen are the truth; an answer that puts the reset a
    /// second or more later belongs to a new window and starts the count afresh.
    public func observe(_ response: HTTPResponse) {
        inFlight = max(0, inFlight - 1)
        // Headers that cannot be true (`inf`, `nan`, negative, hours away) are not believed: the window stays as it was.
        guard let remainingText = response[header: "X-RateLimit-Remaining"], let reported = Int(remainingText),
            reported >= 0,
            let seconds = AnswerNumbers.seconds(response[header: "X-RateLimit-Reset"])
        else { return }
        let reportedReset = Date().addingTimeInterval(seconds)
        if let remaining, let resetAt, reportedReset < resetAt.addingTimeInterval(1) {
            self.remaining = min(remaining, reported)
            self.resetAt = min(resetAt, reportedReset)
        } else {
            remaining = reported
            resetAt = reportedReset
        }
    }

    /// A request ended without an answer.
    public func abandoned() { inFlight = max(0, inFlight - 1) }

    /// Visma answered 429: no request leaves until `seconds` from now (at most `AnswerNumbers.longestWaitSeconds`).
    public func blockUntilReset(after seconds: Double) {
        guard seconds.isFinite else { return }
        remaining = 0
        resetAt = Date().addingTimeInterval(min(max(seconds, 0), AnswerNumbers.longestWaitSeconds))
    }
}

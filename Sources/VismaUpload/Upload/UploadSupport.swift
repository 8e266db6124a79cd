import FlexyVismaCore
import Foundation

/// The access token shared by all workers: fetched once, kept until shortly before it expires,
/// fetched again when Visma answers 401.
actor TokenProvider {
    private let connection: VismaConnection
    private let session: CurlSession
    private var current: (value: String, expires: Date)?
    /// The fetch under way: workers that ask meanwhile wait for it instead of fetching their own.
    private var pending: Task<String, any Error>?
    private(set) var fetches = 0

    init(connection: VismaConnection) throws {
        self.connection = connection
        session = try CurlSession()
    }

    func token() async throws -> String {
        if let current, current.expires.timeIntervalSinceNow > 60 { return current.value }
        if let pending { return try await pending.value }
        let fetch = Task { try await self.fetch() }
        pending = fetch
        defer { pending = nil }
        return try await fetch.value
    }

    private func fetch() async throws -> String {
        let form = [
            ("grant_type", "client_credentials"), ("client_id", connection.clientId), ("client_secret", connection.secret.value),
            ("tenant_id", connection.tenantId), ("scope", connection.scope),
        ].map { "\($0.0)=\(VismaClient.formEncode($0.1))" }.joined(separator: "&")
        let response: HTTPResponse
        do {
            response = try await session.send(
                HTTPRequest(method: "POST", url: connection.tokenURL, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(form.utf8)))
        } catch let error as HTTPTransportError {
            throw VismaClientError(exitStatus: .temporaryFailure, message: "cannot reach Visma Connect: \(error)")
        }
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        guard response.status == 200, let value = object["access_token"] as? String else {
            throw VismaClientError(
                exitStatus: response.status >= 500 ? .temporaryFailure : .configuration,
                message: "Visma Connect refused the client credentials (\(object["error"] as? String ?? "HTTP \(response.status)")); check visma.clientId, visma.tenantId and the secret")
        }
        fetches += 1
        current = (value, Date().addingTimeInterval((object["expires_in"] as? NSNumber)?.doubleValue ?? 3600))
        return value
    }

    /// Forgets a token Visma refused, unless another worker already replaced it.
    func invalidate(_ token: String) {
        if current?.value == token { current = nil }
    }
}

/// Keeps the run inside Visma's rate limit from `X-RateLimit-Remaining` and `-Reset`: a request
/// leaves only while the window still has room for it beside those already in flight; otherwise
/// the worker waits for the window to reset, so a run slows down instead of meeting 429 storms.
actor RatePacer {
    private var remaining: Int?
    private var resetAt: Date?
    private var inFlight = 0

    init() {}

    /// Requests the window still has room for beside those in flight; nil while it is unknown.
    var room: Int? { remaining.map { $0 - inFlight } }

    /// Waits until the current window has room, then counts the request as in flight.
    func admit() async {
        while let room, room <= 0, let resetAt, resetAt > Date() {
            let pause = resetAt.timeIntervalSinceNow + 0.05
            try? await Task.sleep(for: .milliseconds(Int(min(pause, 3600) * 1000)))
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
    func observe(_ response: HTTPResponse) {
        inFlight = max(0, inFlight - 1)
        guard let remainingText = response[header: "X-RateLimit-Remaining"], let reported = Int(remainingText),
            let resetText = response[header: "X-RateLimit-Reset"], let seconds = Double(resetText)
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
    func abandoned() { inFlight = max(0, inFlight - 1) }

    func blockUntilReset(after seconds: Double) {
        remaining = 0
        resetAt = Date().addingTimeInterval(seconds)
    }
}

/// Counts for the manifest, shared by the workers.
actor UploadCounters {
    var requests = 0
    var retries = 0
    var rateLimited = 0
    var lookups = 0

    func request() { requests += 1 }
    func retry() { retries += 1 }
    func limited() { rateLimited += 1 }
    func lookup() { lookups += 1 }
}

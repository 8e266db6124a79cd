import FlexyVismaCore
import Foundation

/// The access token shared by all workers: fetched once, kept until shortly before it expires,
/// fetched again when Visma answers 401.
actor TokenProvider {
    private let connection: VismaConnection
    private let session: CurlSession
    private var current: (value: String, expires: Date)?
    private(set) var fetches = 0

    init(connection: VismaConnection) throws {
        self.connection = connection
        session = try CurlSession()
    }

    func token() async throws -> String {
        if let current, current.expires.timeIntervalSinceNow > 60 { return current.value }
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

/// Slows the run down before Visma's rate limit is reached, from `X-RateLimit-Remaining` and
/// `-Reset`, so that a run meets few 429s instead of storms of them.
actor RatePacer {
    private var remaining: Int?
    private var resetAt: Date?
    private let reserve: Int

    init(reserve: Int) { self.reserve = reserve }

    func observe(_ response: HTTPResponse) {
        if let text = response[header: "X-RateLimit-Remaining"], let value = Int(text) { remaining = value }
        if let text = response[header: "X-RateLimit-Reset"], let seconds = Double(text) { resetAt = Date().addingTimeInterval(seconds) }
    }

    /// Waits while the window is nearly used up: spreads what is left over the time left.
    func admit() async {
        guard let remaining, let resetAt else { return }
        let left = resetAt.timeIntervalSinceNow
        guard left > 0 else {
            self.remaining = nil
            return
        }
        if remaining <= reserve {
            let pause = remaining <= 0 ? left : left / Double(remaining + 1)
            try? await Task.sleep(for: .milliseconds(Int(min(pause, 3600) * 1000)))
        }
        self.remaining = max(0, remaining - 1)
    }

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

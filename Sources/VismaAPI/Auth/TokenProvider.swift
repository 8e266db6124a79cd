import FlexyVismaCore
import Foundation

/// The access token of one connection (OAuth2 client credentials with the tenant id), shared by
/// everyone who talks to Visma in this process: fetched once, kept until a minute before it expires,
/// fetched again after Visma answers 401.
public actor TokenProvider {
    public let connection: VismaConnection
    private let session: CurlSession
    private var current: (value: String, expires: Date)?
    /// The fetch under way: callers that ask meanwhile wait for it instead of fetching their own.
    private var pending: Task<String, any Error>?
    /// Tokens fetched, for the manifest.
    public private(set) var fetches = 0

    public init(connection: VismaConnection) throws {
        self.connection = connection
        session = try CurlSession()
    }

    /// A valid access token.
    ///
    /// Throws `VismaClientError`: exit 78 when Visma Connect refuses the credentials, 75 when it
    /// cannot be reached or answers 5xx.
    public func token() async throws -> String {
        if let current, current.expires.timeIntervalSinceNow > 60 { return current.value }
        if let pending { return try await pending.value }
        let fetch = Task { try await self.fetch() }
        pending = fetch
        defer { pending = nil }
        return try await fetch.value
    }

    /// Forgets a token Visma refused, unless another caller already replaced it.
    public func invalidate(_ token: String) {
        if current?.value == token { current = nil }
    }

    private func fetch() async throws -> String {
        let form = [
            ("grant_type", "client_credentials"), ("client_id", connection.clientId),
            ("client_secret", connection.secret.value),
            ("tenant_id", connection.tenantId), ("scope", connection.scope),
        ].map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
        let response: HTTPResponse
        do {
            response = try await session.send(
                HTTPRequest(
                    method: "POST", url: connection.tokenURL,
                    headers: [("Content-Type", "application/x-www-form-urlencoded")],
                    body: Data(form.utf8)))
        } catch let error as HTTPTransportError {
            throw VismaClientError(
                exitStatus: .temporaryFailure,
                message: "cannot reach Visma Connect at \(connection.tokenURL): \(error); try again later")
        }
        let answer = try? BoundedJSONDecoder.decode(TokenAnswer.self, from: response.body)
        if response.status >= 500 || response.status == 429 {
            throw VismaClientError(
                exitStatus: .temporaryFailure,
                message: "Visma Connect at \(connection.tokenURL) answered HTTP \(response.status); try again later")
        }
        guard response.status == 200, let value = answer?.accessToken else {
            let stated = [answer?.error, answer?.errorDescription].compactMap { $0 }.joined(separator: ": ")
            let reason = stated.isEmpty ? "HTTP \(response.status)" : TerminalText.escaped(stated)
            throw VismaClientError(
                exitStatus: .configuration,
                message: "Visma Connect at \(connection.tokenURL) refused the client credentials (\(reason)); "
                    + "check visma.clientId, visma.tenantId (the company's tenant id) and the client secret",
                connectError: answer?.error)
        }
        fetches += 1
        // Visma Connect states the lifetime; an answer without it is taken to last the usual hour.
        // A lifetime that cannot be true (negative, not finite, beyond a day) is taken as the usual hour.
        let lifetime = answer?.expiresIn.flatMap { $0.isFinite && $0 >= 0 && $0 <= 86_400 ? $0 : nil } ?? 3600
        current = (value, Date().addingTimeInterval(lifetime))
        return value
    }
}

/// Visma Connect's answer to a token request, successful or not.
private struct TokenAnswer: Decodable {
    var accessToken: String?
    var expiresIn: Double?
    var error: String?
    var errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
        case error
        case errorDescription = "error_description"
    }
}

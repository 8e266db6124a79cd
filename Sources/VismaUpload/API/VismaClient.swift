import FlexyVismaCore
import Foundation

/// Where and as whom to reach the Visma API.
public struct VismaConnection: Sendable {
    public var baseURL: String
    public var tokenURL: String
    public var tenantId: String
    public var clientId: String
    public var scope: String
    public var secret: ClientSecret

    public init(configuration: PipelineConfiguration, secret: ClientSecret) {
        baseURL = configuration.visma.baseURL
        tokenURL = configuration.visma.tokenURL
        tenantId = configuration.visma.tenantId
        clientId = configuration.visma.clientId
        scope = configuration.visma.scope
        self.secret = secret
    }
}

/// Visma could not be used: unreachable, refusing the credentials, or answering in a way we cannot read.
public struct VismaClientError: PipelineFailure {
    public var exitStatus: ExitStatus
    public var message: String
    public var description: String { message }
}

/// Reads from the Visma API over libcurl: OAuth2 client credentials with the tenant id, the token
/// kept until shortly before it expires and fetched again once on a 401, lists read page by page.
public final class VismaClient {
    public let connection: VismaConnection
    private let session: CurlSession
    private var token: (value: String, expires: Date)?
    /// Requests made, for the manifest.
    public private(set) var requests = 0

    public init(connection: VismaConnection, session: CurlSession? = nil) throws {
        self.connection = connection
        self.session = try session ?? CurlSession()
    }

    /// A valid access token, fetched when there is none or it expires within a minute.
    public func accessToken(now: Date = Date()) throws -> String {
        if let token, token.expires.timeIntervalSince(now) > 60 { return token.value }
        let form = [
            ("grant_type", "client_credentials"), ("client_id", connection.clientId),
            ("client_secret", connection.secret.value), ("tenant_id", connection.tenantId), ("scope", connection.scope),
        ].map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let response = try send(
            HTTPRequest(
                method: "POST", url: connection.tokenURL, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Data(form.utf8)))
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        guard response.status == 200, let value = object["access_token"] as? String else {
            let error = object["error"] as? String ?? "HTTP \(response.status)"
            throw VismaClientError(
                exitStatus: response.status >= 500 ? .temporaryFailure : .configuration,
                message: "Visma Connect at \(connection.tokenURL) refused the client credentials (\(error)); check visma.clientId, visma.tenantId (the company's tenant id) and the client secret")
        }
        let lifetime = (object["expires_in"] as? NSNumber)?.doubleValue ?? 3600
        token = (value, now.addingTimeInterval(lifetime))
        return value
    }

    /// GET a path under the base URL and parse the JSON answer; a 401 fetches a new token once.
    public func getJSON(_ path: String) throws -> Any {
        var response = try authorisedGET(path)
        if response.status == 401 {
            token = nil
            response = try authorisedGET(path)
        }
        guard response.status == 200 else {
            let message = ((try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any])?["message"] as? String
            let status: ExitStatus = response.status == 401 ? .configuration : (response.status >= 500 || response.status == 429 ? .temporaryFailure : .dataRejected)
            throw VismaClientError(
                exitStatus: status,
                message: "Visma answered GET \(path) with HTTP \(response.status)\(message.map { ": \($0)" } ?? "")")
        }
        do {
            return try JSONSerialization.jsonObject(with: response.body)
        } catch {
            throw VismaClientError(exitStatus: .temporaryFailure, message: "Visma's answer to GET \(path) is not JSON")
        }
    }

    /// Every element of a paged list: pages of `pageSize` until one comes back short.
    public func getAllPages(_ path: String, pageSize: Int = 1000) throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var page = 1
        let separator = path.contains("?") ? "&" : "?"
        while true {
            let elements = try getJSON("\(path)\(separator)pageNumber=\(page)&pageSize=\(pageSize)") as? [[String: Any]] ?? []
            all += elements
            let total = (elements.first?["metadata"] as? [String: Any])?["totalCount"] as? Int
            if elements.count < pageSize || (total.map { all.count >= $0 } ?? false) { return all }
            page += 1
        }
    }

    private func authorisedGET(_ path: String) throws -> HTTPResponse {
        let token = try accessToken()
        return try send(
            HTTPRequest(
                method: "GET", url: connection.baseURL + path,
                headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/json")]))
    }

    private func send(_ request: HTTPRequest) throws -> HTTPResponse {
        requests += 1
        do {
            return try session.perform(request)
        } catch let error as HTTPTransportError {
            throw VismaClientError(exitStatus: .temporaryFailure, message: "cannot reach Visma: \(error)")
        }
    }

    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

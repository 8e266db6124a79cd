import Foundation
import VismaAPI
import VismaSimulator

/// The simulator running in this process on a free port, for one test.
public final class RunningSimulator: Sendable {
    public let engine: SimulatorEngine
    public let baseURL: String
    private let task: Task<Void, any Error>

    private init(engine: SimulatorEngine, baseURL: String, task: Task<Void, any Error>) {
        self.engine = engine
        self.baseURL = baseURL
        self.task = task
    }

    /// Starts, runs `body`, and stops the server whatever happens.
    public static func with<T>(
        _ configuration: SimulatorConfiguration = SimulatorConfiguration(),
        _ body: (RunningSimulator) async throws -> T
    ) async throws -> T {
        let engine = try SimulatorEngine(configuration: configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = buildSimulatorApplication(engine: engine, port: 0) { port in continuation.yield(port) }
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let simulator = RunningSimulator(engine: engine, baseURL: "http://127.0.0.1:\(port)", task: task)
        do {
            let result = try await body(simulator)
            await simulator.stop()
            return result
        } catch {
            await simulator.stop()
            throw error
        }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// A Visma API client for tests: real HTTP through libcurl, JSON in and out, every exchange recorded.
public final class VismaTestClient: @unchecked Sendable {
    public let baseURL: String
    private let session: CurlSession
    public private(set) var token: String?
    public private(set) var exchanges: [Exchange] = []

    /// One request and its answer, for the conformance check against the official OpenAPI document.
    public struct Exchange: Codable, Sendable {
        public var method: String
        public var path: String
        public var status: Int
        public var requestBody: String?
        public var responseBody: String?

        public init(method: String, path: String, status: Int, requestBody: String?, responseBody: String?) {
            self.method = method
            self.path = path
            self.status = status
            self.requestBody = requestBody
            self.responseBody = responseBody
        }
    }

    /// `reuseConnections: false` makes every dropped connection visible (libcurl re-sends once on a reused one).
    /// The timeout is generous: on a loaded 2-core machine the in-process simulator shares the test's threads.
    public init(baseURL: String, reuseConnections: Bool = true) throws {
        self.baseURL = baseURL
        session = try CurlSession(timeoutMilliseconds: 60_000, reuseConnections: reuseConnections)
    }

    public static let sampleCredentials = (
        tenant: "6f1d3f7e-3c1a-4d55-9a61-0b5a3c0f2a10", client: "flexyvisma-demo", secret: "flexyvisma-demo-secret"
    )

    /// Fetches a token with the given credentials (the sample company's by default) and keeps it.
    @discardableResult
    public func authenticate(
        client: String = sampleCredentials.client, secret: String = sampleCredentials.secret,
        tenant: String = sampleCredentials.tenant
    ) async throws -> HTTPResponse {
        let form =
            "grant_type=client_credentials&client_id=\(client)&client_secret=\(secret)&tenant_id=\(tenant)&scope=vismanet_erp_service_api:read"
        let response = try await session.send(
            HTTPRequest(
                method: "POST", url: baseURL + "/connect/token",
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(form.utf8)))
        if response.status == 200, let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        {
            token = object["access_token"] as? String
        }
        return response
    }

    /// Sends JSON (a string literal in the tests reads like the payload it is) and records the exchange.
    @discardableResult
    public func send(
        _ method: String, _ path: String, json: String? = nil, record: Bool = true
    ) async throws -> HTTPResponse {
        var headers = [("Accept", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if json != nil { headers.append(("Content-Type", "application/json")) }
        let response = try await session.send(
            HTTPRequest(method: method, url: baseURL + path, headers: headers, body: json.map { Data($0.utf8) }))
        if record {
            exchanges.append(
                Exchange(
                    method: method, path: path.split(separator: "?").first.map(String.init) ?? path,
                    status: response.status,
                    requestBody: json,
                    responseBody: response.body.isEmpty ? nil : String(decoding: response.body, as: UTF8.self)))
        }
        return response
    }

    public func get(_ path: String) async throws -> HTTPResponse { try await send("GET", path) }

    /// A journal's `attachments` as Visma lists them on the journal (name, id, revision), as the uploader reads them.
    public func attachments(onJournal number: String) async throws -> [[String: Any]] {
        try await get("/v2/journaltransaction/\(number)").jsonObject["attachments"] as? [[String: Any]] ?? []
    }
    public func post(_ path: String, _ json: String) async throws -> HTTPResponse {
        try await send("POST", path, json: json)
    }
    public func put(_ path: String, _ json: String) async throws -> HTTPResponse {
        try await send("PUT", path, json: json)
    }
}

extension HTTPResponse {
    /// The body as JSON.
    public var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    /// `message` of a Visma error body.
    public var message: String {
        ((json as? [String: Any])?["message"] as? String) ?? String(decoding: body, as: UTF8.self)
    }
    public var jsonArray: [[String: Any]] { (json as? [[String: Any]]) ?? [] }
    public var jsonObject: [String: Any] { (json as? [String: Any]) ?? [:] }
}

/// Runs blocking work (a synchronous libcurl client, a whole stage) on its own thread, so it never
/// holds one of the few cooperative threads the in-process simulator needs to answer it.
public func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue(label: "flexyvisma.tests.blocking").async {
            continuation.resume(with: Result { try body() })
        }
    }
}

extension SimulatorEngine {
    /// How many attachment POSTs the simulator has answered 201 (its request log, read in process): a crash test
    /// waits for the next one before it kills the uploader.
    public var attachmentsTaken: Int {
        let log = handle(SimulatorRequest(method: "GET", path: "/_simulator/requests"))
        let object = (try? JSONSerialization.jsonObject(with: log.body)) as? [String: Any]
        return (object?["requests"] as? [[String: Any]] ?? []).filter {
            ($0["method"] as? String) == "POST" && ($0["path"] as? String)?.hasSuffix("/attachment") == true
                && ($0["status"] as? Int) == 201
        }.count
    }
}

import FlexyVismaCore
import Foundation

/// How the simulator runs: which company, limits, faults and where it keeps its state.
public struct SimulatorConfiguration: Sendable {
    public var fixture: CompanyFixture
    /// Persist the company after every change and reload it at start (`--state FILE`).
    public var statePath: URL?
    public var rateLimit: RateLimit?
    public var faults: FaultPlan
    public var seed: UInt64

    public init(
        fixture: CompanyFixture = .sampleVenue, statePath: URL? = nil, rateLimit: RateLimit? = .visma,
        faults: FaultPlan = .none, seed: UInt64 = 1
    ) {
        self.fixture = fixture
        self.statePath = statePath
        self.rateLimit = rateLimit
        self.faults = faults
        self.seed = seed
    }
}

/// One line of the request log (`GET /_simulator/requests`).
public struct RequestLogEntry: Codable, Sendable, Equatable {
    public var sequence: Int
    public var method: String
    public var path: String
    public var status: Int
    /// The injected fault, when there was one (`503`, `drop`, `lost`, `delay`, `token-expiry`, `rate-limit`).
    public var fault: String?

    public init(sequence: Int, method: String, path: String, status: Int, fault: String?) {
        self.sequence = sequence
        self.method = method
        self.path = path
        self.status = status
        self.fault = fault
    }
}

/// The simulated Visma.net ERP company behind the HTTP server: authentication, rate limit, faults,
/// the API's rules and the admin endpoints. Every request is handled under one lock, in order.
public final class SimulatorEngine: @unchecked Sendable {
    private let lock = NSLock()
    private var company: CompanyState
    private let initialFixture: CompanyFixture
    private var tokens: [String: Date] = [:]
    private var window: FixedWindow?
    private var faults: FaultPlan
    private var random: SeededGenerator
    private var log: [RequestLogEntry] = []
    /// The newest write requests' bodies, as sent (`GET /_simulator/bodies`).
    private var bodies: [(sequence: Int, method: String, path: String, body: String)] = []
    static let bodyLimit = 1000
    private var sequence = 0
    private let statePath: URL?
    /// The request log keeps at least the newest this many entries.
    static let logLimit = 200_000

    public init(configuration: SimulatorConfiguration) throws {
        initialFixture = configuration.fixture
        company = CompanyState(fixture: configuration.fixture)
        window = configuration.rateLimit.map(FixedWindow.init)
        faults = configuration.faults
        random = SeededGenerator(seed: configuration.seed)
        statePath = configuration.statePath
        if let statePath, FileManager.default.fileExists(atPath: statePath.path) {
            company = try BoundedJSONDecoder.decode(CompanyState.self, from: Data(contentsOf: statePath))
        }
    }

    /// How many requests were handled so far (admin ones included).
    public var requestCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return sequence
    }

    /// Handles one request; safe to call from any number of server tasks.
    public func handle(_ request: SimulatorRequest, now: Date = Date()) -> SimulatorResponse {
        lock.lock()
        defer { lock.unlock() }
        sequence += 1
        var fault: String?
        var response = route(request, now: now, fault: &fault)
        response.headers.append(("X-Simulator-Sequence", String(sequence)))
        log.append(
            RequestLogEntry(
                sequence: sequence, method: request.method, path: request.path, status: response.status, fault: fault))
        if request.method != "GET", request.path.hasPrefix("/v") {
            bodies.append((sequence, request.method, request.path, String(decoding: request.body, as: UTF8.self)))
            if bodies.count > Self.bodyLimit { bodies.removeFirst(bodies.count - Self.bodyLimit) }
        }
        // Trimmed in chunks, so that a full log costs no shifting per request.
        if log.count > Self.logLimit + Self.logLimit / 2 { log.removeFirst(log.count - Self.logLimit) }
        return response
    }

    private func route(_ request: SimulatorRequest, now: Date, fault: inout String?) -> SimulatorResponse {
        let segments = request.segments
        if segments.first == "_simulator" { return admin(request, segments: Array(segments.dropFirst())) }
        if segments == ["connect", "token"], request.method == "POST" { return issueToken(request, now: now) }

        // Every API answer carries the rate-limit headers, the 401 and 429 ones included.
        var limitHeaders: [(String, String)] = []
        var admitted = true
        var retryAfter = 0
        if var current = window {
            let decision = current.admit(at: now)
            window = current
            admitted = decision.allowed
            retryAfter = decision.resetSeconds
            limitHeaders = [
                ("X-RateLimit-Limit", String(current.limit.requests)),
                ("X-RateLimit-Remaining", String(decision.remaining)),
                ("X-RateLimit-Reset", String(decision.resetSeconds)), ("X-RateLimit-Policy", "4-fixed-window"),
            ]
        }
        func finish(_ response: SimulatorResponse) -> SimulatorResponse {
            var response = response
            response.headers += limitHeaders
            return response
        }

        guard let token = bearerToken(request), let expiry = tokens[token], expiry > now else {
            return finish(.json(401, ["message": "Authorization has been denied for this request."]))
        }
        guard admitted else {
            fault = "rate-limit"
            var response = SimulatorResponse.json(
                429, ["message": .string("API rate limit exceeded. Retry after \(retryAfter) seconds.")])
            response.headers.append(("Retry-After", String(retryAfter)))
            return finish(response)
        }

        var delay = 0
        var loseResponse = false
        switch faults.fault(for: random.unitDraw(), method: request.method, path: request.path) {
        case .status(let code)?:
            fault = String(code)
            return finish(
                .json(code, ["message": .string("VismaId: \(UUID().uuidString.lowercased()). An error has occurred.")]))
        case .drop?:
            fault = "drop"
            var response = SimulatorResponse(status: 0)
            response.disposition = .dropConnection
            return response
        case .tokenExpiry?:
            fault = "token-expiry"
            tokens[token] = nil
            return finish(.json(401, ["message": "Authorization has been denied for this request."]))
        case .hostileHeaders?:
            fault = "hostile-headers"
            var response = SimulatorResponse.json(429, ["message": "API rate limit exceeded."])
            response.headers += [("Retry-After", "nan"), ("X-RateLimit-Remaining", "-1"), ("X-RateLimit-Reset", "inf")]
            return response
        case .delay(let milliseconds)?:
            fault = "delay"
            delay = milliseconds
        case .lost?:
            fault = "lost"
            loseResponse = true
        case nil:
            break
        }

        var response = finish(api(request, segments: segments))
        response.delayMilliseconds = delay
        if loseResponse { response.disposition = .dropConnection }
        return response
    }

    private func bearerToken(_ request: SimulatorRequest) -> String? {
        guard let header = request.headers["authorization"], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst("Bearer ".count))
    }

    // MARK: Visma Connect token endpoint

    private func issueToken(_ request: SimulatorRequest, now: Date) -> SimulatorResponse {
        let form = FormBody(request.body)
        let credentials = company.fixture.credentials
        guard form["grant_type"] == "client_credentials" else {
            return .json(400, ["error": "unsupported_grant_type"])
        }
        guard form["client_id"] == credentials.clientId, form["client_secret"] == credentials.clientSecret else {
            return .json(400, ["error": "invalid_client"])
        }
        guard form["tenant_id"] == credentials.tenantId else {
            return .json(
                400,
                [
                    "error": "invalid_tenant",
                    "error_description": "The application user or subscription is not entitled to use the API",
                ])
        }
        let token = (0..<4).map { _ in String(random.next(), radix: 16) }.joined()
        tokens = tokens.filter { $0.value > now }
        tokens[token] = now.addingTimeInterval(Double(credentials.tokenLifetimeSeconds))
        return .json(
            200,
            [
                "access_token": .string(token), "expires_in": .number(Double(credentials.tokenLifetimeSeconds)),
                "token_type": "Bearer", "scope": .string(form["scope"] ?? ""),
            ])
    }

    // MARK: The API

    private func api(_ request: SimulatorRequest, segments: [String]) -> SimulatorResponse {
        let method = request.method
        let lowered = segments.map { $0.lowercased() }
        do {
            if let answer = try company.attachmentRoute(request, segments: segments) {  // multipart, not JSON
                if request.method == "POST" { persist() }
                return answer
            }
            let body = try requestBody(request)
            let queuedBefore = company.queuedReleases
            let outcome: Outcome
            switch (method, lowered.count, lowered.first ?? "", lowered.dropFirst().first ?? "") {
            case ("GET", 2, "v1", "inventory"): outcome = try company.listInventory(request.query)
            case ("POST", 2, "v1", "inventory"): outcome = try company.createInventory(body)
            case ("GET", 3, "v1", "inventory") where lowered[2] == "itemclass": outcome = company.itemClassList()
            case ("GET", 3, "v1", "inventory"): outcome = try company.getInventory(segments[2])
            case ("PUT", 3, "v1", "inventory"): outcome = try company.updateInventory(segments[2], body)
            case ("GET", 2, "v1", "unitofmeasure"): outcome = company.unitList()
            case ("GET", 2, "v1", "vatcategory"): outcome = company.vatCategoryList()
            case ("GET", 2...3, "v1", "vat"):
                outcome = lowered.count == 2 ? company.vatList() : try company.getVat(segments[2])
            case ("GET", 2, "v1", "kitspecifications"): outcome = try company.listKitSpecifications(request.query)
            case ("POST", 2, "v1", "kitspecifications"): outcome = try company.createKitSpecification(body)
            case ("GET", 4, "v1", "kitspecifications"):
                outcome = try company.getKitSpecification(segments[2], segments[3])
            case ("GET", 2, "v1", "customer"): outcome = try company.listCustomers(request.query)
            case ("POST", 2, "v1", "customer"): outcome = try company.createCustomer(body)
            case ("GET", 3, "v1", "customer") where lowered[2] == "customerclass": outcome = company.customerClassList()
            case ("GET", 3, "v1", "customer"): outcome = try company.getCustomer(segments[2])
            case ("PUT", 3, "v1", "customer"): outcome = try company.updateCustomer(segments[2], body)
            case ("GET", 2, "v1", "customerpayment"): outcome = try company.listCustomerPayments(request.query)
            case ("POST", 2, "v1", "customerpayment"): outcome = try company.createCustomerPayment(body)
            case ("GET", 3, "v1", "customerpayment"): outcome = try company.getCustomerPayment(segments[2])
            case ("PUT", 3, "v1", "customerpayment"): outcome = try company.updateCustomerPayment(segments[2], body)
            case ("POST", 5, "v1", "customerpayment") where lowered[3...] == ["action", "void"]:
                outcome = try company.voidCustomerPayment(segments[2], body)
            case ("POST", 5, "v1", "customerpayment") where lowered[3...] == ["action", "release"]:
                outcome = try company.releaseCustomerPayment(segments[2], body)
            case ("GET", 2, "v1", "paymentmethod"): outcome = company.paymentMethodList()
            case ("GET", 2, "v1", "supplier"): outcome = try company.listSuppliers(request.query)
            case ("GET", 3, "v1", "supplier"): outcome = try company.getSupplier(segments[2])
            case ("GET", 2, "v1", "purchaseorder"): outcome = try company.listPurchaseOrders(request.query)
            case ("POST", 2, "v1", "purchaseorder"): outcome = try company.createPurchaseOrder(body)
            case ("GET", 3, "v1", "purchaseorder"): outcome = try company.getPurchaseOrder(segments[2])
            case ("GET", 2, "v2", "journaltransaction"): outcome = try company.listJournalTransactions(request.query)
            case ("POST", 2, "v2", "journaltransaction"): outcome = try company.createJournalTransaction(body)
            case ("GET", 3, "v2", "journaltransaction"): outcome = try company.getJournalTransaction(segments[2])
            case ("PUT", 3, "v2", "journaltransaction"):
                outcome = try company.updateJournalTransaction(segments[2], body)
            case ("POST", 5, "v2", "journaltransaction") where lowered[3...] == ["action", "release"]:
                outcome = try company.releaseJournalTransaction(segments[2])
            case ("GET", 2, "v1", "numbersequence"): outcome = company.numberSequenceList()
            case ("GET", 2, "v1", "branch"): outcome = company.branchList()
            case ("GET", 2, "v1", "financialperiod"): outcome = company.financialPeriodList()
            case ("GET", 2, "v1", "account"): outcome = company.accountList(request.query)
            case ("GET", 2, "v1", "warehouse"): outcome = company.warehouseList(request.query)
            default:
                return .json(
                    404,
                    ["message": .string("No HTTP resource was found that matches the request URI '\(request.path)'.")])
            }
            // A look at a document whose release was queued completes it: that changes the company too.
            if outcome.mutated || company.queuedReleases != queuedBefore { persist() }
            return respond(outcome, host: request.headers["host"])
        } catch let error as VismaError {
            return .error(error, ipp: ippErrors(lowered))
        } catch {
            return .error(VismaError(500, "An error has occurred. \(error)"), ipp: ippErrors(lowered))
        }
    }

    /// Whether the endpoint (the path segment after the version) answers errors in the IPP shape.
    private func ippErrors(_ lowered: [String]) -> Bool {
        guard lowered.count > 1 else { return false }
        return company.fixture.behaviour.ippErrors.contains { $0.lowercased() == lowered[1] }
    }

    private func respond(_ outcome: Outcome, host: String?) -> SimulatorResponse {
        switch outcome {
        case .ok(let value): return .json(200, value)
        case .created(let path):
            // Visma answers with an absolute URL; clients take the id from its last segment.
            return .created(location: "http://\(host ?? "127.0.0.1")\(path)")
        case .noContent: return .noContent
        }
    }

    private func requestBody(_ request: SimulatorRequest) throws -> JSONValue {
        guard !request.body.isEmpty else { return .null }
        do {
            return try JSONValue.parse(request.body)
        } catch {
            throw VismaError.notRecognized("the expected DTO", "The body is not valid JSON.")
        }
    }

    private func persist() {
        guard let statePath else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(company) else { return }
        let temporary = statePath.appendingPathExtension("tmp")
        if (try? data.write(to: temporary)) != nil {
            _ = try? FileManager.default.replaceItemAt(statePath, withItemAt: temporary)
            if !FileManager.default.fileExists(atPath: statePath.path) {
                try? FileManager.default.moveItem(at: temporary, to: statePath)
            }
        }
    }

    // MARK: Admin (/_simulator/…)

    private func admin(_ request: SimulatorRequest, segments: [String]) -> SimulatorResponse {
        switch (request.method, segments.first ?? "") {
        case ("GET", "entities"):
            let kinds = request.query["kind"].map { [$0] } ?? EntityKind.allCases.map(\.rawValue)
            var result: [String: JSONValue] = [:]
            for name in kinds {
                guard let kind = EntityKind(rawValue: name) else {
                    return .json(
                        400,
                        [
                            "message": .string(
                                "unknown kind '\(name)'; kinds: \(EntityKind.allCases.map(\.rawValue).joined(separator: ", "))"
                            )
                        ])
                }
                let records = company.all(kind)
                result[name] = ["count": .number(Double(records.count)), "records": .array(records)]
            }
            return .json(200, .object(result))
        case ("GET", "requests"):
            let entries = log.map { entry -> JSONValue in
                JSONValue.object([
                    "sequence": .number(Double(entry.sequence)), "method": .string(entry.method),
                    "path": .string(entry.path),
                    "status": .number(Double(entry.status)), "fault": .text(entry.fault),
                ]).compacted
            }
            return .json(200, ["count": .number(Double(entries.count)), "requests": .array(entries)])
        case ("GET", "bodies"):
            let entries = bodies.map { entry -> JSONValue in
                [
                    "sequence": .number(Double(entry.sequence)), "method": .string(entry.method),
                    "path": .string(entry.path),
                    "body": (try? JSONValue.parse(Data(entry.body.utf8))) ?? .string(entry.body),
                ]
            }
            return .json(200, ["count": .number(Double(entries.count)), "bodies": .array(entries)])
        case ("POST", "reset"):
            company = CompanyState(fixture: initialFixture)
            tokens = [:]
            log = []
            bodies = []
            if let limit = window?.limit { window = FixedWindow(limit: limit) }
            persist()
            return .json(200, ["reset": true])
        case ("POST", "faults"):
            let spec = String(decoding: request.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                faults = try FaultPlan(parsing: spec)
                return .json(200, ["faults": .string(faults.description)])
            } catch {
                return .json(400, ["message": .string("\(error)")])
            }
        case ("POST", "fixture"):
            do {
                let addition = try BoundedJSONDecoder.decode(FixtureAddition.self, from: request.body)
                addition.apply(to: &company.fixture)
                persist()
                return .json(200, ["applied": true])
            } catch {
                return .json(400, ["message": .string("not a fixture addition: \(error)")])
            }
        case (_, let route) where CompanyState.adminRecordRoutes.contains(route):
            let change = company.adminRecordChange(method: request.method, segments: segments, body: request.body)
            if change.changed { persist() }
            return change.response
        default:
            return .json(
                404,
                [
                    "message":
                        "admin endpoints: GET entities[?kind=], GET requests, GET bodies, POST reset, POST faults, POST fixture, DELETE records/{kind}/{key}, POST journal-line, POST hand-journal"
                ])
        }
    }
}

/// Reference data added while running (`POST /_simulator/fixture`): fix Visma, then retry.
struct FixtureAddition: Decodable {
    var itemClasses: [CompanyFixture.ItemClass]?
    var units: [String]?
    var vatCategories: [CompanyFixture.VatCategory]?
    var vatCodes: [CompanyFixture.VatCode]?
    var paymentMethods: [CompanyFixture.PaymentMethod]?
    var suppliers: [CompanyFixture.Supplier]?
    var customerClasses: [CompanyFixture.CustomerClass]?
    var branches: [CompanyFixture.Branch]?
    var accounts: [CompanyFixture.Account]?
    var financialPeriods: [CompanyFixture.FinancialPeriod]?
    var warehouses: [CompanyFixture.Warehouse]?

    /// Adds new records and replaces ones with the same id (so a closed period can be reopened).
    func apply(to fixture: inout CompanyFixture) {
        func merge<T>(_ current: inout [T], _ added: [T]?, id: (T) -> String) {
            for record in added ?? [] {
                if let index = current.firstIndex(where: { id($0) == id(record) }) {
                    current[index] = record
                } else {
                    current.append(record)
                }
            }
        }
        merge(&fixture.itemClasses, itemClasses, id: \.id)
        merge(&fixture.units, units, id: { $0 })
        merge(&fixture.vatCategories, vatCategories, id: \.id)
        merge(&fixture.vatCodes, vatCodes, id: \.id)
        merge(&fixture.paymentMethods, paymentMethods, id: \.id)
        merge(&fixture.suppliers, suppliers, id: \.number)
        merge(&fixture.customerClasses, customerClasses, id: \.id)
        merge(&fixture.branches, branches, id: \.number)
        merge(&fixture.accounts, accounts, id: \.number)
        merge(&fixture.financialPeriods, financialPeriods, id: \.period)
        merge(&fixture.warehouses, warehouses, id: \.id)
    }
}

/// `application/x-www-form-urlencoded` fields.
struct FormBody {
    private var fields: [String: String] = [:]

    init(_ data: Data) {
        for pair in String(decoding: data, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let key = parts.first { fields[key] = parts.count > 1 ? parts[1] : "" }
        }
    }

    subscript(key: String) -> String? { fields[key] }
}

import FlexyVismaCore
import Foundation
import VismaAPI
import VismaPayloads

/// What became of one record.
enum SendOutcome: Sendable {
    case done(vismaId: String, created: Bool)
    /// Visma refused it: its message verbatim.
    case rejected(message: String, status: Int)
    /// Not known to have arrived (network, 5xx or 429 exhausted): left `sending`, resolved by lookup next time.
    case unresolved(reason: String)
    /// No access, through no fault of the record: no token (credentials refused: 78; Visma Connect unreachable: 75), a
    /// fresh token refused (401) or the endpoint forbidden (403: scope, user rights; 78). The run stops.
    /// `mayHaveArrived` when an earlier attempt of this record may have been applied.
    case noToken(VismaClientError, mayHaveArrived: Bool)
    /// A create met a record Visma holds with other FlexyBox fields: both versions, for the halt.
    case conflict(message: String)
}

/// Where a lookup found a record: by Visma's number, absent, or not known (Visma could not be asked,
/// or answered anything but 200 or 404 — never taken as absent).
enum Located: Sendable, Equatable {
    case found(number: String)
    case absent
    case unknown(reason: String)
}

/// Sends records over one libcurl session, with Visma's retry rules (docs/UPLOAD.md): retry network
/// errors, 429 (after `Retry-After`) and 502/503/504 with exponential backoff and full jitter;
/// before sending a POST again, look the record up by our key — the first attempt may have been applied.
/// A lookup that cannot say "absent" is retried a few times and then leaves the record unresolved: never a second POST.
struct RecordSender: Sendable {
    let session: CurlSession
    let baseURL: String
    let tokens: TokenProvider
    let pacer: RatePacer
    let counters: UploadCounters
    let maximumAttempts = 8
    /// Lookups that could not answer before the record is left unresolved (exit 75).
    let maximumLookupAttempts = 3
    /// A create that meets a record Visma holds with other FlexyBox fields: halt, or adopt and update it.
    var onExisting: OnExisting = .halt

    /// Sends the record with its own method, or `override` (the PUT that updates an adopted record).
    func send(_ record: AddressedRecord, method override: String? = nil) async -> SendOutcome {
        let method = override ?? record.method
        var mayHaveArrived = false
        var lastProblem = ""
        var refreshedToken = false
        var failedLookups = 0
        for attempt in 0..<maximumAttempts {
            if attempt > 0 { await counters.retry() }
            if mayHaveArrived, method == "POST" {
                switch await locate(record) {
                case .found(let number): return .done(vismaId: number, created: true)
                case .absent: mayHaveArrived = false
                case .unknown(let reason):
                    failedLookups += 1
                    lastProblem = "looking it up: \(reason)"
                    if failedLookups >= maximumLookupAttempts { return .unresolved(reason: lastProblem) }
                    await backoff(attempt)
                    continue
                }
            }
            let response: HTTPResponse
            do {
                await pacer.admit()
                let token = try await tokens.token()
                await counters.request()
                var message = request(method, record.path, token: token, body: record.body)
                // A create Visma may number is never re-sent by libcurl itself (see `HTTPRequest.freshConnection`).
                message.freshConnection = method == "POST" && record.record.search != nil
                response = try await session.send(message)
                await pacer.observe(response)
                if response.status == 401 {
                    await tokens.invalidate(token)
                    if refreshedToken {
                        return .noToken(
                            VismaClientError(
                                exitStatus: .configuration,
                                message:
                                    "Visma refused a fresh access token for \(record.method) \(record.path) (401); check visma.tenantId and the client's scope"
                            ),
                            mayHaveArrived: mayHaveArrived)
                    }
                    refreshedToken = true
                    continue
                }
            } catch let error as VismaClientError {
                await pacer.abandoned()
                return .noToken(error, mayHaveArrived: mayHaveArrived)
            } catch let error as HTTPTransportError {
                await pacer.abandoned()
                lastProblem = "\(error)"
                mayHaveArrived = true
                await backoff(attempt)
                continue
            } catch {
                await pacer.abandoned()
                return .rejected(message: "\(error)", status: 0)
            }
            if let outcome = await outcome(
                of: response, record: record, method: method, lastProblem: &lastProblem,
                mayHaveArrived: &mayHaveArrived, attempt: attempt)
            {
                return outcome
            }
        }
        return .unresolved(reason: lastProblem)
    }

    /// What an answer to the record's request means; nil to try again.
    private func outcome(
        of response: HTTPResponse, record: AddressedRecord, method: String, lastProblem: inout String,
        mayHaveArrived: inout Bool, attempt: Int
    ) async -> SendOutcome? {
        switch response.status {
        case 200..<300:
            // Visma's number is the last segment of `Location` (percent-encoded), not necessarily ours.
            let number =
                response[header: "Location"].flatMap { $0.split(separator: "/").last.map { String($0).percentDecoded } }
                ?? record.number
            return .done(vismaId: number, created: method == "POST")
        case 429:
            await counters.limited()
            let header = response[header: "Retry-After"]
            guard let wait = header == nil ? 1 : AnswerNumbers.seconds(header) else {
                // Not a wait we can believe or should sit through: the record stays unconfirmed, the next run carries on.
                return .unresolved(
                    reason:
                        "rate limited (429) with Retry-After \"\(TerminalText.escaped(String((header ?? "").prefix(40))))\""
                )
            }
            await pacer.blockUntilReset(after: wait)
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            lastProblem = "rate limited (429)"
            return nil
        case 403:
            // The client's scope or the integration user's rights, not the record: nothing was applied.
            return .noToken(
                VismaClientError(
                    exitStatus: .configuration,
                    message:
                        "Visma refused access to \(record.method) \(record.path) (HTTP 403\(response.vismaMessage.map { ": \($0)" } ?? "")); "
                        + "give the integration's client the scope and the user the rights for it"),
                mayHaveArrived: mayHaveArrived)
        case 502, 503, 504:
            lastProblem = "HTTP \(response.status)"
            mayHaveArrived = true  // a gateway cannot promise the company did not apply it
            await backoff(attempt)
            return nil
        default:
            let message = response.vismaMessage ?? "HTTP \(response.status)"
            if method == "POST", response.status == 400, message.contains("already exists") {
                // An earlier attempt (ours, or libcurl's own resend on a dead connection) may have been applied.
                return await settleAlreadyExists(record, message: message)
            }
            return .rejected(message: message, status: response.status)
        }
    }

    /// Finds the record in Visma: by our key in the field Visma keeps it in (`search`), else by `lookup`.
    func locate(_ record: AddressedRecord) async -> Located {
        await counters.lookup()
        if let search = record.record.search, let list = record.searchList {
            return await find(search, in: list)
        }
        switch await get(record.lookup) {
        case .success(let response) where response.status == 200: return .found(number: record.number)
        case .success(let response) where response.status == 404: return .absent
        case .success(let response): return .unknown(reason: "GET \(record.lookup) answered HTTP \(response.status)")
        case .failure(let problem): return .unknown(reason: problem.message)
        }
    }

    /// Pages through a list until an element holds our key.
    private func find(_ search: PayloadRecord.OwnKeySearch, in list: String) async -> Located {
        var number: String?
        do {
            _ = try await VismaReader.collectPages(pageSize: 1000) { page, size -> VismaReader.Page<JSONValue> in
                let path = VismaReader.path(list, page: page, pageSize: size)
                let response = try await get(path).get()
                guard response.status == 200, let answer = try? JSONValue.parse(response.body) else {
                    throw LookupProblem(message: "GET \(path) answered HTTP \(response.status)")
                }
                let elements = answer.arrayValue ?? answer["records"]?.arrayValue ?? []
                if let match = elements.first(where: search.matches) {
                    number = match[search.numberField]?.stringValue
                    return VismaReader.Page(elements: [], totalCount: nil, maxPageSize: nil)  // found: stop paging
                }
                let metadata = elements.first?["metadata"]
                let total = AnswerNumbers.count((metadata?["totalCount"] ?? answer["totalCount"])?.numberValue)
                let cap = AnswerNumbers.count((metadata?["maxPageSize"] ?? answer["pageSize"])?.numberValue)
                return VismaReader.Page(elements: elements, totalCount: total, maxPageSize: cap)
            }
        } catch let problem as LookupProblem {
            return .unknown(reason: problem.message)
        } catch {
            return .unknown(reason: "\(error)")
        }
        return number.map { .found(number: $0) } ?? .absent
    }

    private struct LookupProblem: Error {
        var message: String
    }

    /// One authorised GET; a failure says why Visma could not be asked.
    private func get(_ path: String) async -> Result<HTTPResponse, LookupProblem> {
        do {
            let token = try await tokens.token()
            await pacer.admit()
            let response: HTTPResponse
            do {
                response = try await session.send(request("GET", path, token: token, body: nil))
            } catch {
                await pacer.abandoned()
                throw error
            }
            await pacer.observe(response)
            if response.status == 401 { await tokens.invalidate(token) }
            return .success(response)
        } catch {
            return .failure(LookupProblem(message: "\(error)"))
        }
    }

    /// One authorised request outside the create path (lookups, release): nil when Visma could not be reached.
    ///
    /// A GET is asked again, after a pause, on a network failure, 429 or 502–504; an action is sent once (its
    /// caller looks at the document before asking again).
    func exchange(_ method: String, _ path: String, body: Data? = nil) async -> HTTPResponse? {
        let attempts = method == "GET" ? 4 : 1
        for attempt in 0..<attempts {
            if attempt > 0 { await backoff(attempt) }
            guard let response = await exchangeOnce(method, path, body: body) else { continue }
            if method == "GET", [429, 502, 503, 504].contains(response.status), attempt + 1 < attempts { continue }
            return response
        }
        return nil
    }

    private func exchangeOnce(_ method: String, _ path: String, body: Data?) async -> HTTPResponse? {
        for _ in 0..<2 {
            guard let token = try? await tokens.token() else { return nil }
            await pacer.admit()
            await counters.request()
            var message = request(method, path, token: token, body: body)
            // An action (a release) is not safe to repeat: libcurl must never re-send it by itself.
            message.freshConnection = method != "GET"
            guard let response = try? await session.send(message) else {
                await pacer.abandoned()
                return nil
            }
            await pacer.observe(response)
            guard response.status == 401 else { return response }
            await tokens.invalidate(token)
        }
        return nil
    }

    private func request(_ method: String, _ path: String, token: String, body: Data?) -> HTTPRequest {
        var headers = [("Authorization", "Bearer \(token)"), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json; charset=utf-8")) }
        return HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body)
    }

    /// Full jitter: a random pause up to 0.2 s × 2^attempt, at most 10 s.
    func backoff(_ attempt: Int) async {
        let ceiling = min(10.0, 0.2 * pow(2.0, Double(attempt)))
        try? await Task.sleep(for: .milliseconds(Int(Double.random(in: 0...ceiling) * 1000)))
    }
}

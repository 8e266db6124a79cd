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
}

/// Sends records over one libcurl session, with Visma's retry rules (DESIGN §8): retry network
/// errors, 429 (after `Retry-After`) and 502/503/504 with exponential backoff and full jitter;
/// before sending a POST again, look its natural key up — the first attempt may have been applied.
struct RecordSender: Sendable {
    let session: CurlSession
    let baseURL: String
    let tokens: TokenProvider
    let pacer: RatePacer
    let counters: UploadCounters
    let maximumAttempts = 8

    func send(_ record: PayloadRecord) async -> SendOutcome {
        var mayHaveArrived = false
        var lastProblem = ""
        var refreshedToken = false
        for attempt in 0..<maximumAttempts {
            if attempt > 0 { await counters.retry() }
            if mayHaveArrived, record.method == "POST" {
                switch await exists(record) {
                case true?: return .done(vismaId: record.key, created: true)
                case false?: mayHaveArrived = false
                case nil:
                    await backoff(attempt)
                    continue
                }
            }
            let response: HTTPResponse
            do {
                await pacer.admit()
                let token = try await tokens.token()
                await counters.request()
                response = try await session.send(request(record.method, record.path, token: token, body: Data(record.bodyText.utf8)))
                await pacer.observe(response)
                if response.status == 401 {
                    await tokens.invalidate(token)
                    if refreshedToken { return .rejected(message: "Visma refused a fresh access token (401)", status: 401) }
                    refreshedToken = true
                    continue
                }
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

            switch response.status {
            case 200..<300:
                let id = response[header: "Location"].flatMap { $0.split(separator: "/").last.map(String.init) } ?? record.key
                return .done(vismaId: id.percentDecoded, created: record.method == "POST")
            case 429:
                await counters.limited()
                let wait = Double(response[header: "Retry-After"] ?? "") ?? 1
                await pacer.blockUntilReset(after: wait)
                try? await Task.sleep(for: .milliseconds(Int(min(wait, 3600) * 1000)))
                lastProblem = "rate limited (429)"
            case 502, 503, 504:
                lastProblem = "HTTP \(response.status)"
                mayHaveArrived = true  // a gateway cannot promise the company did not apply it
                await backoff(attempt)
            default:
                let message = response.vismaMessage ?? "HTTP \(response.status)"
                if record.method == "POST", response.status == 400, message.contains("already exists"), await exists(record) == true {
                    // An earlier attempt (ours, or libcurl's own resend on a dead connection) was applied.
                    return .done(vismaId: record.key, created: true)
                }
                return .rejected(message: message, status: response.status)
            }
        }
        return .unresolved(reason: lastProblem)
    }

    /// Whether the record's natural key exists in Visma: nil when Visma could not be asked.
    func exists(_ record: PayloadRecord) async -> Bool? {
        do {
            await counters.lookup()
            let token = try await tokens.token()
            await pacer.admit()
            let response: HTTPResponse
            do {
                response = try await session.send(request("GET", record.lookup, token: token, body: nil))
            } catch {
                await pacer.abandoned()
                throw error
            }
            await pacer.observe(response)
            switch response.status {
            case 200: return true
            case 404: return false
            case 401:
                await tokens.invalidate(token)
                return nil
            default: return nil
            }
        } catch {
            return nil
        }
    }

    /// One authorised request outside the create path (lookups, release): nil when Visma could not be reached.
    func exchange(_ method: String, _ path: String, body: Data? = nil) async -> HTTPResponse? {
        for _ in 0..<2 {
            guard let token = try? await tokens.token() else { return nil }
            await pacer.admit()
            await counters.request()
            guard let response = try? await session.send(request(method, path, token: token, body: body)) else {
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
    private func backoff(_ attempt: Int) async {
        let ceiling = min(10.0, 0.2 * pow(2.0, Double(attempt)))
        try? await Task.sleep(for: .milliseconds(Int(Double.random(in: 0...ceiling) * 1000)))
    }
}

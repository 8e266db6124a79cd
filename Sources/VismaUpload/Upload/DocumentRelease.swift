import FlexyVismaCore
import Foundation
import VismaAPI
import VismaPayloads

/// What a release action came to.
enum ReleaseOutcome: Sendable, Equatable {
    case done
    /// `Queued` or `InProcess`: Visma has not released it yet.
    case queued
    /// `Failed`, or the action refused: Visma's text.
    case failed(String)
    /// No answer to rely on: the next run looks at the document first.
    case unresolved(String)
}

/// Releases created documents and reads Visma's answer (`ReleasePaymentActionResultDto` / `ReleaseJournalTransactionActionResultDto`).
///
/// Only `Done` counts as released at once; `Queued`/`InProcess` is settled by looking at the document's status,
/// which is also how a release a crash left unconfirmed is found out before it is asked for again.
extension RecordSender {
    /// The document's own path, from the collection the record was POSTed to and the number Visma gave it.
    static func documentPath(_ record: PayloadRecord, vismaId: String) -> String {
        "\(record.path)/\(PercentEncoding.encode(vismaId))"
    }

    /// The release body: a customer payment names its type (required), a journal sends none.
    static func releaseBody(_ record: PayloadRecord) throws -> Data? {
        guard record.group == .customerPayments else { return nil }
        return try ReleasePaymentActionDto(type: record.body["type"]?["value"]?.stringValue.map(DtoValue.init))
            .encodedBody()
    }

    /// Asks for the release; a refusal of a document Visma shows released already (an earlier request whose answer
    /// was lost) counts as done.
    func release(_ record: PayloadRecord, vismaId: String) async -> ReleaseOutcome {
        var outcome = await askRelease(record, vismaId: vismaId)
        // No answer to rely on: look at the document, and ask again only if it is not released (a few times).
        for attempt in 1..<4 {
            guard case .unresolved = outcome else { break }
            await backoff(attempt)
            switch await isReleased(record, vismaId: vismaId) {
            case true?: return .done
            case false?: outcome = await askRelease(record, vismaId: vismaId)
            case nil: continue
            }
        }
        if case .failed = outcome, await isReleased(record, vismaId: vismaId) == true { return .done }
        return outcome
    }

    private func askRelease(_ record: PayloadRecord, vismaId: String) async -> ReleaseOutcome {
        let path = Self.documentPath(record, vismaId: vismaId) + "/action/release"
        let body: Data?
        do {
            body = try Self.releaseBody(record)
        } catch {
            return .failed("the release body cannot be written: \(error)")
        }
        guard let response = await exchange("POST", path, body: body) else {
            return .unresolved("no answer to the release")
        }
        switch response.status {
        case 200..<300:
            guard let answer = try? BoundedJSONDecoder.decode(ReleaseActionResultDto.self, from: response.body) else {
                return .queued  // answered without a result to read: the document's status decides
            }
            switch answer.actionResult {
            case "Done": return .done
            case "Failed": return .failed(answer.errorInfo ?? "Visma answered the release with Failed and no text")
            default: return .queued
            }
        case 429, 500...:
            return .unresolved("HTTP \(response.status) to the release")
        default:
            return .failed(response.vismaMessage ?? "HTTP \(response.status) to the release")
        }
    }

    /// Whether Visma shows the document released: nil when it could not be asked.
    func isReleased(_ record: PayloadRecord, vismaId: String) async -> Bool? {
        guard let response = await exchange("GET", Self.documentPath(record, vismaId: vismaId)), response.status == 200,
            let status = (try? JSONValue.parse(response.body))?["status"]?.stringValue
        else { return nil }
        return Self.releasedStatuses(record.group).contains(status)
    }

    /// Statuses of a released document: a payment is Open (or Closed once used up), a journal Released or Posted.
    static func releasedStatuses(_ group: PayloadGroup) -> Set<String> {
        group == .customerPayments ? ["Open", "Closed"] : ["Released", "Posted"]
    }
}

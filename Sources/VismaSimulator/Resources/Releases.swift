import FlexyVismaCore
import Foundation

/// The release action shared by customer payments and journals: `behaviour.queuedReleaseEvery` makes every
/// n-th release answer `Queued`; the document is released when it is looked at (GET) or released again.
extension CompanyState {
    /// Counts a release and tells whether this one is queued instead of done now.
    mutating func queueRelease(_ kind: EntityKind, _ number: String) -> Bool {
        let count = (releaseCount ?? 0) + 1
        releaseCount = count
        let every = fixture.behaviour.queuedReleaseEvery
        guard every > 0, count % every == 0 else { return false }
        queuedReleases = (queuedReleases ?? []) + ["\(kind.rawValue)/\(number)"]
        return true
    }

    /// Whether the document had a queued release, which the caller now completes.
    mutating func takeQueuedRelease(_ kind: EntityKind, _ number: String) -> Bool {
        let key = "\(kind.rawValue)/\(number)"
        guard queuedReleases?.contains(key) == true else { return false }
        queuedReleases?.removeAll { $0 == key }
        return true
    }

    /// `Done`, or `Failed` with Visma's text in `errorInfo` when a rule checked at release is broken.
    static func releaseAnswer(_ release: () throws -> Void) throws -> Outcome {
        do {
            try release()
            return .ok(Self.actionResult("Done"))
        } catch let error as VismaError where error.status == 400 {
            return .ok(Self.actionResult("Failed", errorInfo: error.message))
        }
    }

    /// `ReleasePaymentActionResultDto` / `ReleaseJournalTransactionActionResultDto`.
    static func actionResult(_ result: String, errorInfo: String? = nil) -> JSONValue {
        JSONValue.object([
            "actionId": .string(UUID().uuidString.lowercased()), "actionResult": .string(result),
            "errorInfo": .text(errorInfo),
        ]).compacted
    }
}

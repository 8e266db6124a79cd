/// One module's rule ids, each with what a finding under it means.
///
/// Every rule id a report, a manifest or a halt carries is a case of one catalog; `flexyvisma rules`
/// prints them and `docs/VALIDATION.md` is generated from them (`Scripts/generate-rules-doc`).
public protocol RuleCatalog: CaseIterable, Sendable, RawRepresentable where RawValue == String {
    /// What a finding under this rule means, and what usually fixes it.
    var meaning: String { get }
    /// The heading the catalog is listed under.
    static var title: String { get }
}

extension RuleCatalog {
    /// The id written in reports and manifests, e.g. `csv.pattern`.
    public var id: String { rawValue }
}

/// Findings the stage lifecycle and the operations commands record on a batch.
public enum PipelineRule: String, RuleCatalog {
    case inputChanged = "input.changed"
    case stageCrashed = "stage.crashed"
    case batchSuperseded = "batch.superseded"
    case batchDiscarded = "batch.discarded"
    case batchAbandoned = "batch.abandoned"
    case batchPartlySent = "batch.partly-sent"

    public static let title = "The pipeline"

    public var meaning: String {
        switch self {
        case .inputChanged:
            "a file the previous stage recorded changed, vanished or was added before this stage read it; the batch halts instead of sending something nobody checked"
        case .stageCrashed:
            "the stage ended without a result on this batch again and again (crash or kill); the batch halts so that it is looked at"
        case .batchSuperseded:
            "the batch was refused before upload and replaced by a batch exported again from FlexyBox; it is archived, never deleted"
        case .batchDiscarded:
            "an operator took the batch out of the queue (`flexyvisma discard`); its days and records go back to the next export"
        case .batchAbandoned:
            "an operator took the batch out of the queue and left its days out of the books on purpose (`discard --abandon`)"
        case .batchPartlySent:
            "a discarded batch had already sent part of its records; those stay in Visma and the ledger names them"
        }
    }
}

import FlexyVismaCore
import StateStore
import VismaPayloads

extension UploadLedger {
    /// Adds a `pending` row for every payload record the ledger does not have yet.
    public func prepare(batch: BatchID, records: [PayloadRecord]) throws {
        try prepare(
            batch: batch,
            records: records.map { UploadLedger.Record(sequence: $0.sequence, kind: $0.kind, key: $0.key) })
    }
}

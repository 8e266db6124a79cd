import DropFormats
import FlexyVismaCore
import Foundation

/// A hand-dropped batch refused at validate has no source to read again: the person who dropped it
/// drops the corrected file(s) under the same names, and the next `validate --retry` (the night, or
/// `flexyvisma retry`) takes them, with the halted batch's other files, as a new batch that replaces it.
///
/// A drop is taken as a correction only while the pipeline is halted at validate on a hand-dropped
/// batch, and only when it is loose files of which at least one has the name of a file the halt
/// refused; anything else waits behind the halt as before.
struct CorrectedDrop {
    let root: PipelineRoot
    let pickup: InboxPickup
    let runId: String

    /// The new batch and what it replaced, or nil when no correction waits.
    func replaceHaltedBatch() throws -> (batch: BatchID, note: String)? {
        guard let halt = try HaltRecord.current(in: root), let refused = halt.refusedHandDropFiles(in: root),
            !refused.isEmpty
        else { return nil }
        let halted = root.batchFolder(halt.batchId)
        let scan = try pickup.scan()
        guard case .files(let names)? = scan.ready, !refused.isDisjoint(with: names) else { return nil }
        let kept = PickupRecord.digests(in: halted).keys.filter { !names.contains($0) }.sorted()
        guard case .batch(let id) = try pickup.takeCorrection(names, keeping: kept, of: halt.batchId) else {
            return nil
        }
        try Supersede.mark(
            [halt.batchId], by: id,
            because:
                "a corrected drop of \(names.sorted().joined(separator: ", ")) (kept from it: \(kept.isEmpty ? "nothing" : kept.joined(separator: ", ")))",
            root: root, runId: runId)
        return (
            id,
            "batch \(id) replaces batch \(halt.batchId): the corrected \(names.sorted().joined(separator: ", ")) with its other files"
        )
    }
}

extension InboxPickup {
    /// Loose files from the inbox and `keeping` from the halted batch's folder, as one new batch.
    func takeCorrection(_ names: [String], keeping: [String], of halted: BatchID) throws -> Taken {
        let id = BatchID.make(at: now)
        let inbox = try OpenFolder(root.inbox)
        let earlier = try OpenFolder(root.batchFolder(halted))
        let staging = try BatchStaging(root: root, id: id)
        var copies: [(String, FileCopy)] = []
        for name in names {
            do {
                copies.append((name, try staging.copy(name, from: inbox)))
            } catch let refusal as NotARegularFile {
                staging.discard()
                try reject(name, reason: refusal.reason + ".")
                return .refused(name: name, reason: refusal.reason)
            }
        }
        // The halted batch's own copies: the pipeline made them, and pickup.json holds their hashes.
        for name in keeping { copies.append((name, try staging.copy(name, from: earlier))) }
        try staging.publish(copies, from: "inbox (a correction of batch \(halted)) and batches/\(halted)")
        for (name, copy) in copies where names.contains(name) { _ = try inbox.remove(name, ifStill: copy.source) }
        try inbox.sync()
        return .batch(id)
    }
}

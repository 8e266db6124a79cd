import FlexyVismaCore
import Foundation

/// `flexyvisma archive prune`: retention. Removes archived batches past the retention time; the
/// prune itself is a record on the hash chain (`archive/pruned/<time>.prune.json`): what was
/// pruned, the manifest hashes it removed, under which rule — so `audit verify` can walk through
/// the removed manifests and check that the rule allowed it. `archive/pruned.json` is an index
/// of the same, for people; verify trusts only the chained records.
public enum ArchivePrune {
    public struct PrunedManifest: Codable, Sendable, Equatable {
        public var file: String
        public var sha256: String
        public var previous: String?
    }

    public struct PrunedBatch: Codable, Sendable, Equatable {
        public var batchId: BatchID
        public var prunedAt: String
        public var lastBusinessDay: String?
        public var manifests: [PrunedManifest]

        /// The day retention counts from: the last business day, else the first of the batch's month.
        var retentionDay: String { lastBusinessDay ?? "\(batchId.year)-\(batchId.month)-01" }
    }

    /// One prune, a link of the manifest chain.
    public struct Record: Codable, Sendable, Equatable {
        public var schemaVersion = 1
        public var kind = "prune"
        public var prunedAt: String
        /// `--older-than` as given (`18m`); nil: the legal default.
        public var olderThan: String?
        /// Batches whose retention day is before this day were due.
        public var cutoff: String
        public var batches: [PrunedBatch]
        public var previous: String?

        /// Why this prune broke its own rule; nil when every batch was due.
        public func ruleProblem() -> String? {
            guard let date = Timestamp.date(prunedAt) else { return "prunedAt '\(prunedAt)' is not a time" }
            let rule = olderThan.flatMap(RetentionPeriod.init)
            if olderThan != nil, rule == nil { return "retention rule '\(olderThan ?? "")' is not a retention period" }
            let expected = ArchivePrune.cutoff(olderThan: rule, now: date)
            guard expected == cutoff else {
                return
                    "cutoff \(cutoff) does not follow from the rule \(olderThan ?? "5 full years") at \(prunedAt) (\(expected))"
            }
            let early = batches.filter { $0.retentionDay >= cutoff }.map {
                "\($0.batchId) (last business day \($0.retentionDay))"
            }
            return early.isEmpty
                ? nil
                : "pruned \(early.joined(separator: ", ")) before the retention rule \(olderThan ?? "5 full years") allowed (only before \(cutoff))"
        }
    }

    static func file(in root: PipelineRoot) -> URL { root.archive.appendingPathComponent("pruned.json") }
    static func recordFolder(in root: PipelineRoot) -> URL {
        root.archive.appendingPathComponent("pruned", isDirectory: true)
    }

    /// The index `archive/pruned.json` (as written; not evidence by itself).
    public static func load(root: PipelineRoot) -> [PrunedBatch] {
        (try? Data(contentsOf: file(in: root))).flatMap { try? BoundedJSONDecoder.decode([PrunedBatch].self, from: $0) }
            ?? []
    }

    /// The prune records by their SHA-256, with their root-relative place; unreadable ones are problems.
    static func records(root: PipelineRoot) -> (byHash: [String: (place: String, record: Record)], problems: [String]) {
        var byHash: [String: (place: String, record: Record)] = [:]
        var problems: [String] = []
        let folder = recordFolder(in: root)
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        where name.hasSuffix(".prune.json") {
            let place = "archive/pruned/\(name)"
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)),
                let record = try? BoundedJSONDecoder.decode(Record.self, from: data)
            else {
                problems.append("\(place): not a readable prune record")
                continue
            }
            byHash[data.sha256Hex] = (place, record)
        }
        return (byHash, problems)
    }

    /// `5y`, `18m`, `400d`; nil means the legal default: 5 full years after the financial (calendar) year.
    public static func cutoff(olderThan: RetentionPeriod?, now: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        guard let olderThan else {
            let year = calendar.component(.year, from: now) - 5
            return "\(year)-01-01"  // a batch whose last day is before this lies in a year that ended > 5 full years ago
        }
        let date = calendar.date(byAdding: olderThan.unit.component, value: -olderThan.amount, to: now) ?? now
        return BusinessDay(date: date, timeZone: TimeZone(identifier: "UTC") ?? .current).text
    }

    /// Batches to prune (last business day before the cutoff); removed unless `dryRun`.
    public static func run(
        root: PipelineRoot, olderThan: RetentionPeriod?, dryRun: Bool, now: Date = Date()
    ) throws -> [PrunedBatch] {
        // The record keeps the time to the millisecond; the cutoff must follow from what it keeps.
        let prunedAt = Timestamp.iso8601(now)
        let cutoff = cutoff(olderThan: olderThan, now: Timestamp.date(prunedAt) ?? now)
        let pruned = due(root: root, cutoff: cutoff, now: now)
        guard !dryRun, let newest = pruned.map(\.batchId).max() else { return pruned }
        let name = prunedAt.filter { $0.isNumber } + ".prune.json"
        _ = try ManifestChain(root: root).publishRecord(at: "archive/pruned/\(name)", batchId: newest) { previous in
            try CanonicalJSON.encode(
                Record(
                    prunedAt: prunedAt, olderThan: olderThan?.description, cutoff: cutoff, batches: pruned,
                    previous: previous))
        }
        try DurableFiles.writeAtomically(try CanonicalJSON.encode(load(root: root) + pruned), to: file(in: root))
        for batch in pruned {
            let folder = BatchArchive.folder(for: batch.batchId, in: root)
            let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
            while let url = enumerator?.nextObject() as? URL {
                try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            }
            try FileManager.default.removeItem(at: folder)
        }
        return pruned
    }

    /// The archived batches whose retention day is before the cutoff, with their manifests' hashes.
    static func due(root: PipelineRoot, cutoff: String, now: Date) -> [PrunedBatch] {
        var pruned: [PrunedBatch] = []
        for folder in BatchLocator.allBatchFolders(in: root) where folder.path.hasPrefix(root.archive.path) {
            guard let id = BatchID(folder.lastPathComponent) else { continue }
            var manifests: [PrunedManifest] = []
            var lastDay: String?
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
            where name.contains(".manifest") {
                guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)),
                    let manifest = try? StageManifest.decode(data)
                else { continue }
                manifests.append(PrunedManifest(file: name, sha256: data.sha256Hex, previous: manifest.previous))
                if let days = manifest.export?.businessDays, let last = days.max() {
                    lastDay = max(lastDay ?? last, last)
                }
            }
            let batch = PrunedBatch(
                batchId: id, prunedAt: Timestamp.iso8601(now), lastBusinessDay: lastDay, manifests: manifests)
            if batch.retentionDay < cutoff { pruned.append(batch) }
        }
        return pruned
    }
}

/// How long archived batches are kept: `5y`, `18m` or `400d`.
public struct RetentionPeriod: Sendable, Equatable, CustomStringConvertible {
    public enum Unit: Character, Sendable {
        case years = "y"
        case months = "m"
        case days = "d"

        var component: Calendar.Component {
            switch self {
            case .years: .year
            case .months: .month
            case .days: .day
            }
        }
    }

    public var amount: Int
    public var unit: Unit

    public var description: String { "\(amount)\(unit.rawValue)" }

    public init?(_ text: String) {
        guard let last = text.last, let unit = Unit(rawValue: last), let amount = Int(text.dropLast()), amount >= 0
        else { return nil }
        self.amount = amount
        self.unit = unit
    }
}

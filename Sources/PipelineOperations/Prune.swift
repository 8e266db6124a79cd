import FlexyVismaCore
import Foundation

/// `flexyvisma archive prune`: retention. Removes archived batches past the retention time and
/// records, in `archive/pruned.json`, every manifest hash they held, so the chain still verifies.
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
    }

    static func file(in root: PipelineRoot) -> URL { root.archive.appendingPathComponent("pruned.json") }

    public static func load(root: PipelineRoot) -> [PrunedBatch] {
        (try? Data(contentsOf: file(in: root))).flatMap { try? JSONDecoder().decode([PrunedBatch].self, from: $0) } ?? []
    }

    /// `5y`, `18m`, `400d`; nil means the legal default: 5 full years after the financial (calendar) year.
    public static func cutoff(olderThan: RetentionPeriod?, now: Date = Date()) -> String {
        let calendar = Calendar(identifier: .gregorian)
        guard let olderThan else {
            let year = calendar.component(.year, from: now) - 5
            return "\(year)-01-01"  // a batch whose last day is before this lies in a year that ended > 5 full years ago
        }
        let date = calendar.date(byAdding: olderThan.unit.component, value: -olderThan.amount, to: now) ?? now
        return BusinessDay(date: date, timeZone: TimeZone(identifier: "UTC") ?? .current).text
    }

    /// Batches to prune (last business day before the cutoff); removed unless `dryRun`.
    public static func run(root: PipelineRoot, olderThan: RetentionPeriod?, dryRun: Bool, now: Date = Date()) throws -> [PrunedBatch] {
        let cutoff = cutoff(olderThan: olderThan, now: now)
        var pruned: [PrunedBatch] = []
        for folder in BatchLocator.allBatchFolders(in: root) where folder.path.hasPrefix(root.archive.path) {
            guard let id = BatchID(folder.lastPathComponent) else { continue }
            var manifests: [PrunedManifest] = []
            var lastDay: String?
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() where name.contains(".manifest") {
                guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)), let manifest = try? StageManifest.decode(data) else { continue }
                manifests.append(PrunedManifest(file: name, sha256: data.sha256Hex, previous: manifest.previous))
                if let days = manifest.export?.businessDays, let last = days.max() { lastDay = max(lastDay ?? last, last) }
            }
            let day = lastDay ?? "\(id.year)-\(id.month)-01"
            guard day < cutoff else { continue }
            pruned.append(PrunedBatch(batchId: id, prunedAt: Timestamp.iso8601(now), lastBusinessDay: lastDay, manifests: manifests))
        }
        guard !dryRun, !pruned.isEmpty else { return pruned }
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
}

/// How long archived batches are kept: `5y`, `18m` or `400d`.
public struct RetentionPeriod: Sendable, Equatable {
    public enum Unit: Character, Sendable {
        case years = "y", months = "m", days = "d"

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

    public init?(_ text: String) {
        guard let last = text.last, let unit = Unit(rawValue: last), let amount = Int(text.dropLast()), amount >= 0 else { return nil }
        self.amount = amount
        self.unit = unit
    }
}

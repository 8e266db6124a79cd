import FlexyVismaCore
import Foundation
import StateStore
import VismaPayloads

/// `flexyvisma plan`: what the next upload would create, update or skip in Visma — read only.
public enum UploadPlan {
    public struct Entry: Sendable, Equatable {
        public var kind: String
        public var action: String
        public var key: String
        public var origin: String
    }

    public struct Result: Sendable {
        public var batchId: BatchID?
        public var entries: [Entry]
        /// Skipped by transform as unchanged in Visma, per kind.
        public var unchanged: [String: Int]

        public var text: String {
            guard let batchId else { return "nothing to upload: no transformed batch waits" }
            var lines = ["Next upload: batch \(batchId)"]
            let kinds = Set(entries.map(\.kind)).union(unchanged.keys).sorted()
            for kind in kinds {
                let mine = entries.filter { $0.kind == kind }
                func count(_ action: String) -> Int { mine.filter { $0.action == action }.count }
                lines.append("  \(kind): \(count("create")) to create, \(count("update")) to update, \(count("skip (already sent)") + (unchanged[kind] ?? 0)) to skip")
            }
            for entry in entries { lines.append("    \(entry.action) \(entry.kind) \(entry.key)\(entry.origin.isEmpty ? "" : "  (\(entry.origin))")") }
            return lines.joined(separator: "\n")
        }
    }

    public static func run(root: PipelineRoot) throws -> Result {
        guard let batchId = root.batchesInProgress().first(where: { id in
            let folder = root.batchFolder(id)
            let uploaded = StageManifest.read(.upload, in: folder)
            return uploaded?.status != .accepted && FileManager.default.fileExists(atPath: folder.appendingPathComponent("transform.manifest.json").path)
        }) else { return Result(batchId: nil, entries: [], unchanged: [:]) }
        let folder = root.batchFolder(batchId)
        let done = try UploadLedger.Reader.open(root: root)?.done(batch: batchId) ?? []
        var entries: [Entry] = []
        let payloads = folder.appendingPathComponent("payloads")
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: payloads.path)) ?? []).sorted() {
            for line in try Data(contentsOf: payloads.appendingPathComponent(name)).split(separator: 0x0A) {
                guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else { continue }
                let sequence = object["sequence"] as? Int ?? 0
                let action = done.contains(sequence) ? "skip (already sent)" : ((object["method"] as? String) == "PUT" ? "update" : "create")
                entries.append(Entry(
                    kind: PayloadGroup(rawValue: object["group"] as? Int ?? 0)?.kind ?? "?", action: action, key: object["key"] as? String ?? "",
                    origin: object["origin"] as? String ?? ""))
            }
        }
        let transform = try StageManifest.decode(Data(contentsOf: folder.appendingPathComponent("transform.manifest.json")))
        var unchanged: [String: Int] = [:]
        for (key, count) in transform.counts where key.hasSuffix(".unchanged") { unchanged[String(key.dropLast(".unchanged".count))] = count }
        return Result(batchId: batchId, entries: entries, unchanged: unchanged)
    }
}

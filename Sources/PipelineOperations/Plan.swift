import DropFormats
import FlexyBoxExport
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
                lines.append(
                    "  \(kind): \(count("create")) to create, \(count("update")) to update, \(count("skip (already sent)") + (unchanged[kind] ?? 0)) to skip"
                )
            }
            for entry in entries {
                lines.append(
                    "    \(entry.action) \(entry.kind) \(entry.key)\(entry.origin.isEmpty ? "" : "  (\(entry.origin))")"
                )
            }
            return lines.joined(separator: "\n")
        }
    }

    public static func run(root: PipelineRoot) throws -> Result {
        guard
            let batchId = root.batchesInProgress().first(where: { id in
                let folder = root.batchFolder(id)
                let uploaded = StageManifest.read(.upload, in: folder)
                return uploaded?.status != .accepted
                    && FileManager.default.fileExists(
                        atPath: folder.appendingPathComponent("transform.manifest.json").path)
            })
        else { return Result(batchId: nil, entries: [], unchanged: [:]) }
        let folder = root.batchFolder(batchId)
        let done = try UploadLedger.Reader.open(root: root)?.done(batch: batchId) ?? []
        var entries: [Entry] = []
        let payloads = folder.appendingPathComponent("payloads")
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: payloads.path)) ?? []).sorted() {
            for line in try Data(contentsOf: payloads.appendingPathComponent(name)).split(separator: 0x0A) {
                guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                    continue
                }
                let sequence = object["sequence"] as? Int ?? 0
                let action =
                    done.contains(sequence)
                    ? "skip (already sent)" : ((object["method"] as? String) == "PUT" ? "update" : "create")
                entries.append(
                    Entry(
                        kind: PayloadGroup(rawValue: object["group"] as? Int ?? 0)?.kind ?? "?", action: action,
                        key: object["key"] as? String ?? "",
                        origin: object["origin"] as? String ?? ""))
            }
        }
        let transform = try StageManifest.decode(
            Data(contentsOf: folder.appendingPathComponent("transform.manifest.json")))
        var unchanged: [String: Int] = [:]
        for (key, count) in transform.counts where key.hasSuffix(".unchanged") {
            unchanged[String(key.dropLast(".unchanged".count))] = count
        }
        return Result(batchId: batchId, entries: entries, unchanged: unchanged)
    }
}

/// `flexyvisma plan --journals`: the debit and credit lines each day would book — nothing is sent.
///
/// Reads the FlexyBox source into a scratch folder (removed afterwards) and builds the journals with
/// the transform's own builder; no batch, watermark or state file changes, so it also works before
/// the first export.
public enum JournalPlan {
    public struct Result: Sendable {
        public var days: [BusinessDay]
        public var journals: [JournalPreview]

        public var text: String {
            guard let first = days.first, let last = days.last else {
                return "no days to preview: the source has nothing after the last exported day"
            }
            var lines = [
                "Journals the days \(first.text) to \(last.text) would book (nothing is sent): \(journals.count) journal(s)"
            ]
            for journal in journals {
                lines.append("")
                lines.append(
                    "\(journal.number)  \(journal.businessDay)  period \(journal.period)  branch \(journal.branch ?? "-")  \(journal.description)"
                )
                lines.append(Self.row("account", "VAT", "debit", "credit", "text"))
                for line in journal.lines {
                    lines.append(
                        Self.row(
                            line.account, line.vatCategory ?? line.vatId ?? "", Self.amount(line.debit),
                            Self.amount(line.credit), line.text))
                }
                lines.append(
                    Self.row(
                        "total", "", Self.amount(journal.debit), Self.amount(journal.credit),
                        journal.debit == journal.credit ? "balanced" : "NOT BALANCED"))
            }
            let debit = journals.reduce(0) { $0 + $1.debit }
            let credit = journals.reduce(0) { $0 + $1.credit }
            lines.append("")
            lines.append(
                "All journals: debit \(FixedPoint.money(ore: debit).text), credit \(FixedPoint.money(ore: credit).text)"
            )
            return lines.joined(separator: "\n")
        }

        private static func amount(_ ore: Int64) -> String { ore == 0 ? "" : FixedPoint.money(ore: ore).text }

        private static func row(
            _ account: String, _ vat: String, _ debit: String, _ credit: String, _ text: String
        ) -> String {
            func pad(_ value: String, _ width: Int, right: Bool = false) -> String {
                let fill = String(repeating: " ", count: max(0, width - value.count))
                return right ? fill + value : value + fill
            }
            return "  " + pad(account, 10) + pad(vat, 8) + pad(debit, 14, right: true) + pad(credit, 14, right: true)
                + "  " + text
        }
    }

    /// The journals of `days` (default: the days the next night would export), from the source as it is now.
    public static func run(
        root: PipelineRoot, configuration: PipelineConfiguration, schemas: SchemaDirectory,
        reference: ReferenceSnapshot,
        days requested: [BusinessDay]?
    ) throws -> Result {
        let days = try requested ?? ScratchExport.nextNightDays(root: root, configuration: configuration)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "flexyvisma-plan-\(UUID().uuidString)", isDirectory: true)
        try DurableFiles.makeFolder(scratch, mode: FileModes.privateFolder)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let files = try ScratchExport.receiptsFiles(
            days: days, root: root, configuration: configuration, schemas: schemas, into: scratch)
        let journals = try files.flatMap {
            try JournalPreview.journals(of: $0, configuration: configuration, reference: reference)
        }
        return Result(days: days, journals: journals)
    }
}

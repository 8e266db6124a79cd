import FlexyVismaCore
import Foundation
import VismaPayloads

/// `flexyvisma audit verify`: every manifest's files re-hashed, and the hash chain walked.
public enum AuditVerify {
    public struct Result: Sendable {
        public var manifests: Int
        public var files: Int
        public var problems: [String]
        /// The chain's head when it was walked.
        public var head: String?
    }

    typealias Manifests = [String: (place: String, manifest: StageManifest)]

    /// Verifies the archive; every hash in `anchors` (from `audit anchor`) must still be on the chain.
    public static func run(root: PipelineRoot, anchors: [String] = []) throws -> Result {
        let (byHash, files, rehashProblems) = rehash(root: root)
        var problems = rehashProblems
        let prunes = ArchivePrune.records(root: root)
        problems += prunes.problems
        guard let head = try ManifestChain(root: root).head() else {
            if !byHash.isEmpty { problems.append("state/chain-head.json is missing: the chain has no head") }
            for anchor in anchors { problems.append("anchor \(anchor) is not on the chain: the chain has no head") }
            return Result(manifests: byHash.count, files: files, problems: problems, head: nil)
        }
        let walk = walkChain(from: head.sha256, manifests: byHash, prunes: prunes.byHash)
        problems += walk.problems
        for (hash, entry) in byHash.sorted(by: { $0.value.place < $1.value.place }) where !walk.seen.contains(hash) {
            problems.append("\(entry.place): not on the hash chain (edited, inserted or reordered)")
        }
        for (hash, entry) in prunes.byHash.sorted(by: { $0.value.place < $1.value.place })
        where !walk.seen.contains(hash) {
            problems.append("\(entry.place): a prune record not on the hash chain (written by hand?)")
        }
        // The index must say nothing the chained records do not.
        for batch in ArchivePrune.load(root: root) {
            for manifest in batch.manifests where !walk.prunedHashes.contains(manifest.sha256) {
                problems.append(
                    "archive/pruned.json lists \(batch.batchId)/\(manifest.file), which no prune on the chain removed (hand-edited?)"
                )
            }
        }
        for anchor in anchors where !walk.seen.contains(anchor.lowercased()) {
            problems.append("anchor \(anchor) is no longer on the chain: history before it was rewritten")
        }
        return Result(manifests: byHash.count, files: files, problems: problems, head: head.sha256)
    }

    /// Every manifest in the root by its hash, and every file each lists re-hashed.
    static func rehash(root: PipelineRoot) -> (Manifests, Int, [String]) {
        var problems: [String] = []
        var byHash: Manifests = [:]
        var files = 0
        for folder in BatchLocator.allBatchFolders(in: root) {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
            for name in names where StageManifest.isManifestFile(name) {
                let url = folder.appendingPathComponent(name)
                let place = relative(url, root)
                guard let data = try? Data(contentsOf: url), let manifest = try? StageManifest.decode(data) else {
                    problems.append("\(place): not a readable manifest")
                    continue
                }
                byHash[data.sha256Hex] = (place, manifest)
                let attempt = name.split(separator: ".").first { $0.hasPrefix("attempt-") }.map(String.init)
                for entry in manifest.outputs + manifest.inputs where !entry.path.hasPrefix("/") {
                    files += 1
                    if let problem = check(entry, in: folder, attempt: attempt, listedIn: place, root: root) {
                        problems.append(problem)
                    }
                }
            }
        }
        return (byHash, files, problems)
    }

    static func check(
        _ entry: FileRecord, in folder: URL, attempt: String?, listedIn place: String, root: PipelineRoot
    ) -> String? {
        var file = folder.appendingPathComponent(entry.path)
        if let attempt {
            // A retried stage kept its earlier report and snapshot as NAME.attempt-N.EXT.
            let parts = entry.path.split(separator: ".", maxSplits: 1)
            let kept = folder.appendingPathComponent(
                "\(parts.first ?? "").\(attempt).\(parts.count > 1 ? parts[1] : "")")
            if FileManager.default.fileExists(atPath: kept.path) { file = kept }
        }
        guard let digest = try? DurableFiles.digest(of: file) else {
            return "\(relative(file, root)): removed (listed in \(place))"
        }
        if digest.sha256 != entry.sha256 || digest.bytes != entry.bytes {
            return "\(relative(file, root)): changed since \(place) recorded it (SHA-256 differs)"
        }
        return nil
    }

    struct Walk {
        var seen: Set<String> = []
        var prunedHashes: Set<String> = []
        var problems: [String] = []
    }

    /// From the head back to the first manifest. A removed manifest resolves only through a prune
    /// record met earlier on the walk (a later link), and that prune must have kept its rule.
    static func walkChain(
        from head: String, manifests: Manifests, prunes: [String: (place: String, record: ArchivePrune.Record)]
    ) -> Walk {
        var walk = Walk()
        var pruned: [String: String?] = [:]
        var cursor: String? = head
        while let hash = cursor {
            guard walk.seen.insert(hash).inserted else {
                walk.problems.append("manifest \(hash.prefix(12))…: the chain loops (manifests reordered?)")
                break
            }
            if let entry = manifests[hash] {
                cursor = entry.manifest.previous
            } else if let prune = prunes[hash] {
                if let problem = prune.record.ruleProblem() { walk.problems.append("\(prune.place): \(problem)") }
                for manifest in prune.record.batches.flatMap(\.manifests) {
                    pruned[manifest.sha256] = manifest.previous
                    walk.prunedHashes.insert(manifest.sha256)
                }
                cursor = prune.record.previous
            } else if let previous = pruned[hash] {
                cursor = previous
            } else {
                walk.problems.append(
                    "the chain refers to manifest \(hash.prefix(12))… which is missing or was changed (removed batch or edited manifest?)"
                )
                break
            }
        }
        return walk
    }

    static func relative(_ url: URL, _ root: PipelineRoot) -> String {
        let path = url.standardizedFileURL.path
        let base = root.url.path + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }
}

/// `flexyvisma audit show <batchId>`: what each stage did to a batch, in words.
public enum AuditShow {
    public static func run(root: PipelineRoot, batchId: BatchID) throws -> String {
        guard let folder = root.locateBatch(batchId) else {
            throw OperatorMessage(.usage, "no batch \(batchId) in this root")
        }
        var lines = ["Batch \(batchId) — \(AuditVerify.relative(folder, root))"]
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter(StageManifest.isManifestFile)
        let manifests = names.compactMap { name -> (String, StageManifest)? in
            (try? Data(contentsOf: folder.appendingPathComponent(name))).flatMap { try? StageManifest.decode($0) }.map {
                (name, $0)
            }
        }.sorted { $0.1.startedAt < $1.1.startedAt }
        for (name, manifest) in manifests {
            lines.append(
                "\(manifest.stage.rawValue) (\(name)): \(manifest.status.rawValue) at \(manifest.finishedAt), run \(manifest.runId)"
            )
            if !manifest.counts.isEmpty {
                lines.append(
                    "  counts: "
                        + manifest.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                            separator: ", "))
            }
            if let export = manifest.export {
                lines.append(
                    "  business days: \(export.businessDays.joined(separator: ", "))\(export.forced ? " (forced re-export)" : "")"
                )
                if let repost = export.repost { lines.append("  " + AuditFind.describe(repost)) }
            }
            for total in manifest.controlTotals?.receiptDays ?? [] where manifest.stage == .export {
                lines.append(
                    "  \(total.businessDay) \(total.department): gross \(total.grossSales), \(total.receipts) receipts \(total.firstReceipt)–\(total.lastReceipt)"
                )
            }
            if let upload = manifest.upload {
                for (kind, counts) in upload.kinds.sorted(by: { $0.key < $1.key }) {
                    lines.append(
                        "  \(kind): \(counts.created) created, \(counts.updated) updated, \(counts.rejected) refused")
                }
                lines.append(
                    "  \(upload.requests) requests, \(upload.retries) retries, \(upload.rateLimited) × 429, \(upload.durationSeconds) s"
                )
                // Vouchers (bilag): `<journal key>/<file name>` → Visma's attachment id, on the journal Visma numbered.
                for (key, id) in (upload.vismaIds["voucher"] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
                    let journal = parts.first.flatMap { upload.vismaIds["journalTransaction"]?[$0] } ?? "?"
                    lines.append(
                        "  voucher \(parts.last ?? key) on journal \(parts.first ?? "?") (Visma \(journal)): attachment \(id)"
                    )
                }
                for day in upload.reposted ?? [] { lines.append("  \(day.sentence)") }
            }
            for finding in manifest.rejections.prefix(20) { lines.append("  refused: \(finding.reportLine())") }
            for finding in manifest.warnings.prefix(20) { lines.append("  note: \(finding.rule): \(finding.message)") }
        }
        return lines.joined(separator: "\n")
    }
}

/// `flexyvisma audit find --item|--customer|--payment|--purchase-order|--receipt KEY`.
public enum AuditFind {
    public enum Key: Sendable {
        case item(String), customer(String), payment(String), purchaseOrder(String), receipt(Int64)
    }

    public static func run(root: PipelineRoot, key: Key) throws -> [String] {
        var answers: [String] = []
        for folder in BatchLocator.allBatchFolders(in: root) {
            let id = folder.lastPathComponent
            let upload = StageManifest.read(.upload, in: folder)
            let discarded = FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("discard.manifest.json").path)
            func visma(_ kind: String, _ key: String) -> String {
                if let id = upload?.upload?.vismaIds[kind]?[key] { return "sent to Visma as \(kind) \(id)" }
                if let refusal = upload?.rejections.first(where: { $0.record == key }) {
                    return "refused by Visma: \(refusal.message)"
                }
                return discarded ? "not sent (batch discarded)" : "not sent yet"
            }
            let payloads = PayloadIndex(folder: folder)
            switch key {
            case .item(let number):
                if let record = payloads.find(kinds: ["inventory"], key: number) {
                    answers.append(
                        "\(id): item \(number) (\(record.origin ?? "")) \(record.method) — \(visma("inventory", number))"
                    )
                }
                for record in payloads.all(kind: "kitSpecification") where record.key.hasPrefix("\(number)/") {
                    answers.append("\(id): kit specification \(record.key) — \(visma("kitSpecification", record.key))")
                }
            case .customer(let number):
                if let record = payloads.find(kinds: ["customer"], key: number) {
                    answers.append(
                        "\(id): customer \(number) (\(record.origin ?? "")) \(record.method) — \(visma("customer", number))"
                    )
                }
            case .payment(let paymentId):
                if let record = payloads.find(kinds: ["customerPayment"], key: paymentId) {
                    answers.append(
                        "\(id): payment \(paymentId) (\(record.origin ?? "")) — \(visma("customerPayment", paymentId))")
                }
            case .purchaseOrder(let number):
                if let record = payloads.find(kinds: ["purchaseOrder"], key: number) {
                    answers.append(
                        "\(id): purchase order \(number) (\(record.origin ?? "")) — \(visma("purchaseOrder", number))")
                }
            case .receipt(let number):
                guard let export = StageManifest.read(.export, in: folder) else { continue }
                for day in export.controlTotals?.receiptDays ?? []
                where day.firstReceipt <= number && number <= day.lastReceipt {
                    let journals = payloads.all(kind: "journalTransaction").filter {
                        $0.origin == day.file || $0.key == "POS-R\(number)"
                    }
                    let journal = journals.first { $0.key == "POS-R\(number)" } ?? journals.first
                    var answer =
                        "\(id): receipt \(number) in \(day.file) (\(day.department), \(day.businessDay))"
                        + (journal.map { " — posted in journal \($0.key): \(visma("journalTransaction", $0.key))" }
                            ?? " — department not sent to Visma")
                    if let repost = export.export?.repost {
                        answer += " — " + describe(repost)
                        if let journal, let outcome = upload?.upload?.reposted?.first(where: { $0.key == journal.key })
                        {
                            answer += " — \(outcome.sentence)"
                        }
                    }
                    answers.append(answer)
                }
            }
        }
        return answers
    }

    /// Who asked for a repost and why, in a line.
    static func describe(_ repost: RepostRequest) -> String {
        "repost asked for by \(repost.requestedBy): \"\(repost.reason)\""
            + (repost.departments.map { " (departments \($0.joined(separator: ", ")))" } ?? "")
    }
}

/// The payload records of one batch, read from `payloads/*.jsonl` as plain JSON.
struct PayloadIndex {
    struct Record {
        var kind: String
        var key: String
        var method: String
        var origin: String?
    }

    private var records: [Record] = []

    init(folder: URL) {
        let payloads = folder.appendingPathComponent("payloads")
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: payloads.path)) ?? []).sorted() {
            guard let data = try? Data(contentsOf: payloads.appendingPathComponent(name)) else { continue }
            for line in data.split(separator: 0x0A) {
                guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                    continue
                }
                records.append(
                    Record(
                        kind: PayloadGroup(rawValue: object["group"] as? Int ?? 0)?.kind ?? "",
                        key: object["key"] as? String ?? "", method: object["method"] as? String ?? "",
                        origin: object["origin"] as? String))
            }
        }
    }

    func find(kinds: Set<String>, key: String) -> Record? { records.first { kinds.contains($0.kind) && $0.key == key } }
    func all(kind: String) -> [Record] { records.filter { $0.kind == kind } }
}

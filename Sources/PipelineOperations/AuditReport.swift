import FlexyVismaCore
import Foundation

/// `flexyvisma audit report --html FILE`: one self-contained HTML page an accountant can read.
public enum AuditReport {
    struct BatchRow {
        var id: BatchID
        var manifests: [String: StageManifest]
        var attempts: [StageManifest]
        var discardReason: String?

        var days: [String] { manifests["export"]?.export?.businessDays ?? [] }
        var sent: Int { manifests["upload"]?.upload?.kinds.values.map { $0.created + $0.updated }.reduce(0, +) ?? 0 }
        var outcome: String {
            if discardReason != nil { return "discarded" }
            if let upload = manifests["upload"] {
                return upload.status == .accepted ? "sent" : "upload \(upload.status.rawValue)"
            }
            if manifests["transform"] != nil { return "transformed" }
            if let validate = manifests["validate"] {
                return validate.status == .accepted ? "validated" : "validation rejected"
            }
            return "exported"
        }
    }

    /// `sections`: more HTML sections (already escaped), e.g. `audit reconcile`'s, placed after the control totals.
    public static func html(
        root: PipelineRoot, from: String? = nil, to: String? = nil, now: Date = Date(), sections: [String] = []
    ) throws -> String {
        var rows: [BatchRow] = []
        for folder in BatchLocator.allBatchFolders(in: root) {
            guard let id = BatchID(folder.lastPathComponent) else { continue }
            var row = BatchRow(id: id, manifests: [:], attempts: [], discardReason: nil)
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() {
                guard name.contains(".manifest"), let data = try? Data(contentsOf: folder.appendingPathComponent(name)),
                    let manifest = try? StageManifest.decode(data)
                else { continue }
                if name.contains(".attempt-") {
                    row.attempts.append(manifest)
                } else {
                    row.manifests[manifest.stage.rawValue] = manifest
                }
                if manifest.stage == .discard { row.discardReason = manifest.warnings.first?.message }
            }
            let days = row.days
            if let from, !days.isEmpty, days.allSatisfy({ $0 < from }) { continue }
            if let to, !days.isEmpty, days.allSatisfy({ $0 > to }) { continue }
            rows.append(row)
        }
        let verify = try AuditVerify.run(root: root)
        var body = ""
        body += "<h1>FlexyVisma — what was sent to Visma</h1>"
        body += "<p class=meta>\(escape(root.url.path)) · generated \(escape(Timestamp.iso8601(now)))"
        body += from.map { " · from \(escape($0))" } ?? ""
        body += to.map { " · to \(escape($0))" } ?? ""
        body += "</p>"
        body +=
            verify.problems.isEmpty
            ? "<p class=ok>Archive intact: \(verify.manifests) manifests and \(verify.files) files re-hashed, the hash chain is whole.</p>"
            : "<div class=bad><b>The archive does not verify (\(verify.problems.count) problem(s)):</b><ul>"
                + verify.problems.map { "<li>\(escape($0))</li>" }.joined() + "</ul></div>"

        // Batches over time: one bar per batch, its height the records sent.
        body += "<h2>Batches over time</h2>" + chart(rows)

        body += tables(rows, from: from, to: to)
        body += sections.joined()
        body += rejections(rows)

        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>FlexyVisma audit report</title>
            <style>
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#1d2733;padding:0 1em}
            h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #d5dbe3;padding-bottom:.2em}
            .meta{color:#5b6878}.ok{background:#e7f6ec;border-left:4px solid #2f9e55;padding:.6em 1em}
            .bad{background:#fdecec;border-left:4px solid #c83737;padding:.6em 1em}
            table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e3e8ee;padding:.35em .6em;text-align:left;vertical-align:top}
            th{background:#f4f6f9}td.n{text-align:right;font-variant-numeric:tabular-nums}tr.warn td{background:#fff7e6}
            .card{border:1px solid #e3e8ee;border-radius:6px;padding:.4em 1em;margin:.8em 0}.card h3{font-size:1em}
            code{font-size:.92em}svg text{font:11px system-ui,sans-serif;fill:#5b6878}
            </style></head><body>
            \(body)
            </body></html>

            """
    }

    /// The batches, the records per kind and the control totals per business day.
    static func tables(_ rows: [BatchRow], from: String?, to: String?) -> String {
        var body = ""
        body +=
            "<h2>Batches</h2><table><tr><th>Batch</th><th>Business days</th><th>Outcome</th><th>Records sent</th><th>Per kind</th></tr>"
        for row in rows {
            let kinds = (row.manifests["upload"]?.upload?.kinds ?? [:]).sorted { $0.key < $1.key }
                .map { "\($0.key) \($0.value.created + $0.value.updated)" }.joined(separator: ", ")
            let days =
                row.days.count > 3
                ? "\(row.days.first ?? "") … \(row.days.last ?? "") (\(row.days.count))"
                : row.days.joined(separator: ", ")
            body +=
                "<tr class=\"\(row.outcome == "sent" ? "" : "warn")\"><td><code>\(escape(row.id.rawValue))</code></td><td>\(escape(days))</td><td>\(escape(row.outcome))</td><td class=n>\(row.sent)</td><td>\(escape(kinds))</td></tr>"
        }
        body += "</table>"

        var totals: [String: Int] = [:]
        for row in rows {
            for (kind, counts) in row.manifests["upload"]?.upload?.kinds ?? [:] {
                totals[kind, default: 0] += counts.created + counts.updated
            }
        }
        body += "<h2>Records sent, per kind</h2><table><tr><th>Kind</th><th>Records</th></tr>"
        for (kind, count) in totals.sorted(by: { $0.key < $1.key }) {
            body += "<tr><td>\(escape(kind))</td><td class=n>\(count)</td></tr>"
        }
        body += "</table>"

        body +=
            "<h2>Control totals per business day</h2><table><tr><th>Day</th><th>Department</th><th>Receipts</th><th>Gross sales</th><th>Tenders</th><th>Batch</th></tr>"
        for row in rows {
            for day in (row.manifests["export"]?.controlTotals?.receiptDays ?? []).sorted(by: {
                ($0.businessDay, $0.department) < ($1.businessDay, $1.department)
            }) {
                if let from, day.businessDay < from { continue }
                if let to, day.businessDay > to { continue }
                let tenders = day.tenders.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                    separator: ", ")
                body +=
                    "<tr><td>\(escape(day.businessDay))</td><td>\(escape(day.department))</td><td class=n>\(day.receipts)</td><td class=n>\(escape("\(day.grossSales)"))</td><td>\(escape(tenders))</td><td><code>\(escape(row.id.rawValue))</code></td></tr>"
            }
        }
        body += "</table>"
        return body
    }

    /// Every rejection, per batch, with what became of it.
    static func rejections(_ rows: [BatchRow]) -> String {
        var body = ""
        body += "<h2>Rejections and what became of them</h2>"
        var any = false
        for row in rows {
            let refused = (row.attempts + Array(row.manifests.values)).filter { $0.status == .rejected }.sorted {
                $0.startedAt < $1.startedAt
            }
            guard !refused.isEmpty else { continue }
            any = true
            let resolution: String
            if let reason = row.discardReason {
                resolution = "Discarded: \(reason)"
            } else if row.outcome == "sent" {
                resolution = "Fixed and sent: the batch was retried and accepted"
            } else {
                resolution = "Open: the pipeline is halted on this batch"
            }
            body += "<div class=card><h3><code>\(escape(row.id.rawValue))</code> — \(escape(resolution))</h3><ul>"
            for manifest in refused {
                for finding in manifest.rejections.prefix(30) {
                    body +=
                        "<li><b>\(escape(manifest.stage.rawValue))</b> <code>\(escape(finding.rule))</code> \(escape(finding.file ?? ""))\(finding.line.map { ":\($0)" } ?? ""): \(escape(finding.message))\(finding.hint.map { " <i>— \(escape($0))</i>" } ?? "")</li>"
                }
            }
            body += "</ul></div>"
        }
        if !any { body += "<p>None.</p>" }
        return body
    }

    /// An inline SVG bar chart: no script, no external asset.
    static func chart(_ rows: [BatchRow]) -> String {
        guard !rows.isEmpty else { return "<p>No batches yet.</p>" }
        let width = 1000.0
        let height = 220.0
        let left = 40.0
        let bottom = 40.0
        let maximum = Double(max(1, rows.map(\.sent).max() ?? 1))
        let step = (width - left) / Double(rows.count)
        var svg =
            "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"records sent per batch\">"
        svg +=
            "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width)\" y2=\"\(height - bottom)\" stroke=\"#9aa6b2\"/>"
        svg += "<text x=\"0\" y=\"14\">\(Int(maximum))</text><text x=\"0\" y=\"\(Int(height - bottom))\">0</text>"
        for (index, row) in rows.enumerated() {
            let barHeight = max(2, Double(row.sent) / maximum * (height - bottom - 20))
            let x = left + Double(index) * step + step * 0.15
            let colour = row.outcome == "sent" ? "#2f9e55" : (row.outcome == "discarded" ? "#9aa6b2" : "#d9822b")
            svg +=
                "<rect x=\"\(String(format: "%.1f", x))\" y=\"\(String(format: "%.1f", height - bottom - barHeight))\" width=\"\(String(format: "%.1f", step * 0.7))\" height=\"\(String(format: "%.1f", barHeight))\" fill=\"\(colour)\"><title>\(escape(row.id.rawValue)): \(row.sent) records, \(escape(row.outcome))</title></rect>"
            let label = row.days.first ?? String(row.id.rawValue.prefix(8))
            svg +=
                "<text x=\"\(String(format: "%.1f", x))\" y=\"\(Int(height - bottom + 14))\">\(escape(String(label.suffix(5))))</text>"
        }
        svg +=
            "</svg><p class=meta>Green: sent · orange: not (yet) sent · grey: discarded. Label: first business day.</p>"
        return svg
    }

    /// Text for HTML element content and quoted attributes: `& < > " '` as entities, and control
    /// characters (but tab and line feed), DEL, C1 and bidirectional overrides as visible U+FFFD.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default:
                if TerminalText.isUnsafe(scalar) { result += "&#xFFFD;" } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }
}

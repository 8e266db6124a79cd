import FlexyVismaCore
import Foundation
import PipelineOperations

/// The result as text for the terminal, as a CSV for Danish Excel, and as a section of the audit HTML report.
extension ReconciliationResult {
    /// One line per difference, like `diff`, then a summary line.
    public var text: String {
        var lines = differences.map { "\($0.kind.rawValue): \($0.explanation)" }
        let read =
            "\(journalsCompared) journal(s), \(vouchersCompared) voucher(s), \(daysCompared) department day(s), \(paymentsCompared) payment(s), \(masterRecordsCompared) master record(s) compared, \(from) … \(to), \(requests) request(s) to Visma"
        lines.append(
            agrees ? "Visma agrees with what FlexyVisma booked: \(read)" : "\(differences.count) difference(s): \(read)"
        )
        return lines.joined(separator: "\n")
    }

    static let csvHeader = [
        "difference", "record", "key", "visma_number", "day", "department", "field", "ours", "visma", "explanation",
    ]

    /// Danish Excel's dialect: UTF-8 with a byte order mark, `;` between fields, decimal comma, CRLF line ends.
    public func csv() -> Data {
        var rows = [Self.csvHeader]
        for difference in differences {
            rows.append([
                difference.kind.rawValue, difference.record, difference.key, difference.vismaNumber ?? "",
                difference.day ?? "",
                difference.department ?? "", difference.field ?? "", difference.ours.map(Self.danishAmount) ?? "",
                difference.visma.map(Self.danishAmount) ?? "", difference.explanation,
            ])
        }
        let text =
            rows.map { $0.enumerated().map { Self.csvField($1, numeric: [7, 8].contains($0)) }.joined(separator: ";") }
            .joined(separator: "\r\n") + "\r\n"
        return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
    }

    /// Øre as Danish Excel reads an amount: `-1234,50` (no thousands separator, which Excel could take for a date).
    static func danishAmount(_ ore: Int64) -> String {
        FixedPoint.money(ore: ore).text.replacingOccurrences(of: ".", with: ",")
    }

    /// A field quoted when it holds `;`, `"` or a line break; text Excel would run as a formula starts with `'`.
    static func csvField(_ value: String, numeric: Bool) -> String {
        var field = value.unicodeScalars.map { TerminalText.isUnsafe($0) && $0 != "\n" ? "\u{FFFD}" : String($0) }
            .joined()
        if !numeric, let first = field.first, "=+-@\t\r".contains(first) { field = "'" + field }
        guard field.contains(where: { ";\"\n\r".contains($0) }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The reconciliation section of the audit HTML report.
    public var htmlSection: String {
        var body = "<h2>Reconciliation with Visma</h2>"
        body += "<p class=meta>\(AuditReport.escape(text.split(separator: "\n").last.map(String.init) ?? ""))</p>"
        guard !agrees else { return body + "<p class=ok>Visma holds exactly what FlexyVisma booked in this range.</p>" }
        body +=
            "<table><tr><th>Difference</th><th>Record</th><th>Key</th><th>Visma</th><th>Day</th><th>Department</th><th>Field</th><th>Ours</th><th>Visma</th><th>Explanation</th></tr>"
        for difference in differences {
            let cells = [
                difference.kind.rawValue, difference.record, difference.key, difference.vismaNumber ?? "",
                difference.day ?? "",
                difference.department ?? "", difference.field ?? "",
            ].map { "<td>\(AuditReport.escape($0))</td>" }.joined()
            let amounts = [difference.ours, difference.visma].map {
                "<td class=n>\($0.map { FixedPoint.money(ore: $0).text } ?? "")</td>"
            }.joined()
            body += "<tr class=warn>\(cells)\(amounts)<td>\(AuditReport.escape(difference.explanation))</td></tr>"
        }
        return body + "</table>"
    }
}

import FlexyVismaCore
import Foundation
import XMLSupport

/// Streams an XML drop through its XSD and the file type's rules.
///
/// Rule findings of a record (a receipt, a calculation, a purchase order) wait until the record
/// ends: a finding on a line the XSD already rejected is dropped, and so is a whole-record finding
/// (a receipt that does not balance) when anything in the record failed the XSD. One cause, one finding.
struct XMLFileCheck {
    let schema: XMLSchema
    let fileName: String

    /// What a rule handler reports while the record is open.
    struct PendingFinding {
        var finding: Finding
        /// True for findings about the record as a whole.
        var wholeRecord: Bool

        /// A finding on one attribute of `element`; dropped when the XSD already rejected that line.
        static func field(
            _ rule: ValidationRule, _ message: String, field: String, hint: String, file: String, element: XMLElement,
            record: String?
        ) -> PendingFinding {
            PendingFinding(
                finding: Finding(
                    rule: rule.id, message: message, file: file, line: element.line, column: 0, record: record,
                    field: field, hint: hint),
                wholeRecord: false)
        }
    }

    /// Numeric attributes of the drop formats and their scale: amounts in øre, quantities in ten-thousandths.
    static let numericAttributes: [String: Int] = [
        "amount": 2, "unitPrice": 2, "discount": 2, "unitCost": 2, "quantity": 4,
    ]

    /// Queues `number.out-of-range` for a numeric attribute too large to hold exactly; the rules then treat it as unknown.
    static func queueRangeFindings(_ element: XMLElement, file: String, pending: inout [PendingFinding]) {
        for (name, scale) in numericAttributes {
            guard let text = element[name], case .outOfRange = FixedPoint.read(text, scale: scale) else { continue }
            pending.append(
                .field(
                    .numberOutOfRange, "\(name) \(text.prefix(40)) is larger than the pipeline can hold exactly",
                    field: name,
                    hint: "at most \(15 - scale) digits before the decimal mark; check the value in FlexyBox",
                    file: file, element: element, record: nil))
        }
    }

    /// Runs the file; `handler` gets every element event and may queue findings with `pending`.
    /// `recordElement` names the element whose end flushes pending findings. Returns false when the
    /// XSD or the parser found anything.
    @discardableResult
    func run(
        url: URL, recordElement: String, findings: inout FindingList,
        handler: (_ event: XMLEvent, _ pending: inout [PendingFinding]) -> Void
    ) throws -> Bool {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
        guard size > 0 else {
            findings.error(
                XMLIssue.Kind.syntax.rawValue, "the file is empty", file: fileName, line: 1, column: 0,
                hint: "was it saved before it was written?")
            return false
        }
        let reader = try ReadAheadXMLReader(path: url.path, schema: schema)
        var pending: [PendingFinding] = []
        var rootLine: Int?
        var recordStart: Int?
        var reported = 0
        func rootTainted() -> Bool { rootLine.map { root in reader.issues.contains { $0.line == root } } ?? true }
        func flush(from start: Int) {
            guard !pending.isEmpty else { return }
            let taintedLines = Set(reader.issues.map(\.line))
            let recordTainted = reader.issues.contains { $0.line >= start }
            for item in pending where !rootTainted() {
                let line = item.finding.line ?? 0
                if item.wholeRecord ? recordTainted : taintedLines.contains(line) { continue }
                findings.append(item.finding)
            }
            pending.removeAll()
        }
        while let event = reader.next() {
            if case .start(let element) = event {
                if rootLine == nil { rootLine = element.line }
                if element.name == recordElement {
                    flush(from: rootLine ?? 0)  // findings about the file itself, queued before the first record
                    recordStart = element.line
                }
            }
            if case .start(let element) = event { Self.queueRangeFindings(element, file: fileName, pending: &pending) }
            handler(event, &pending)
            if case .end(let name) = event, name == recordElement, let start = recordStart {
                flush(from: start)
                recordStart = nil
            }
            let issues = reader.issues
            guard issues.count > reported else { continue }
            for issue in issues.dropFirst(reported) {
                findings.error(
                    issue.rule, issue.message, file: fileName, line: issue.line, column: 0, hint: hint(for: issue))
            }
            reported = issues.count
        }
        for issue in reader.issues.dropFirst(reported) {
            findings.error(
                issue.rule, issue.message, file: fileName, line: issue.line, column: 0, hint: hint(for: issue))
        }
        // A record cut off by a fatal error never ended: its findings go with it. File-level ones stay.
        if recordStart == nil { flush(from: rootLine ?? 0) }
        if reader.issuesTruncated {
            findings.error(.batchTooManyFindings, "libxml2 reported more problems than are listed", file: fileName)
        }
        return reader.issues.isEmpty
    }

    private func hint(for issue: XMLIssue) -> String {
        switch issue.kind {
        case .refused: "drop files never declare a DOCTYPE; export the file again from FlexyBox"
        case .syntax:
            "the file is not well-formed XML: was it cut off, or edited by hand? (a bare & must be written &amp;)"
        case .schema: "see Schemas/\(DropFileTypeName.schema(for: fileName)) for what the element may hold"
        }
    }
}

enum DropFileTypeName {
    static func schema(for fileName: String) -> String {
        let base = fileName.split(separator: "-").first.map(String.init) ?? fileName
        return (base.hasSuffix(".xml") ? String(base.dropLast(4)) : base) + ".xsd"
    }
}

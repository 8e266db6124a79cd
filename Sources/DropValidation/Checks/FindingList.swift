import FlexyVismaCore

/// The findings of one batch, errors and warnings, in the order they were found.
struct FindingList {
    private(set) var errors: [Finding] = []
    private(set) var warnings: [Finding] = []
    private var perFile: [String: Int] = [:]
    /// Past this many errors in one file, the rest are counted in one closing finding.
    static let perFileLimit = 1000

    /// An error under a rule id of any catalog (the CSV and XML readers report their own).
    mutating func error(
        _ rule: String, _ message: String, file: String, line: Int? = nil, column: Int? = nil, record: String? = nil,
        field: String? = nil, hint: String? = nil
    ) {
        let count = perFile[file, default: 0] + 1
        perFile[file] = count
        if count == Self.perFileLimit + 1 {
            errors.append(
                Finding(
                    rule: ValidationRule.batchTooManyFindings.id,
                    message: "more than \(Self.perFileLimit) errors in this file; the rest are not listed",
                    file: file, hint: "fix the listed ones first; they are often one cause repeated"))
        }
        guard count <= Self.perFileLimit else { return }
        errors.append(
            Finding(
                rule: rule, message: message, file: file, line: line, column: column, record: record, field: field,
                hint: hint))
    }

    /// An error under one of validation's own rules.
    mutating func error(
        _ rule: ValidationRule, _ message: String, file: String, line: Int? = nil, column: Int? = nil,
        record: String? = nil,
        field: String? = nil, hint: String? = nil
    ) {
        error(rule.id, message, file: file, line: line, column: column, record: record, field: field, hint: hint)
    }

    mutating func warning(
        _ rule: ValidationRule, _ message: String, file: String, line: Int? = nil, hint: String? = nil
    ) {
        warnings.append(Finding(rule: rule.id, message: message, file: file, line: line, hint: hint))
    }

    mutating func append(_ finding: Finding) {
        error(
            finding.rule, finding.message, file: finding.file ?? "", line: finding.line, column: finding.column,
            record: finding.record, field: finding.field, hint: finding.hint)
    }
}

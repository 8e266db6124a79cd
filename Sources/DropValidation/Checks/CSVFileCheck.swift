import DropFormats
import FlexyVismaCore
import Foundation

/// The columns of one CSV file as its header has them.
final class CSVLayout {
    let names: [String]
    /// 1-based field number by column name.
    let positions: [String: Int]

    init(names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() { positions[name] = index + 1 }
        self.positions = positions
    }
}

/// One data row of a CSV drop after the column checks, handed to the file type's rules.
struct CSVRecord {
    let line: Int
    let fields: [String]
    let layout: CSVLayout
    /// Bit n set: field n (0-based) already failed a column check, and rules leave it alone.
    let failed: UInt64
    let decimalComma: Bool

    /// The value of a column; nil when the column is absent or the field empty.
    subscript(column: String) -> String? {
        guard let position = layout.positions[column] else { return nil }
        let value = fields[position - 1]
        return value.isEmpty ? nil : value
    }

    func column(_ name: String) -> Int { layout.positions[name] ?? 0 }

    var hasFailures: Bool { failed != 0 }

    func usable(_ column: String) -> String? {
        guard let position = layout.positions[column], failed & (1 << UInt64(position - 1)) == 0 else { return nil }
        let value = fields[position - 1]
        return value.isEmpty ? nil : value
    }

    func amount(_ column: String, scale: Int = 2) -> FixedPoint? {
        usable(column).flatMap { FixedPoint(parsing: $0, scale: scale, decimalComma: decimalComma) }
    }
}

/// Streams a CSV drop through the checks its column schema implies: header (unknown, duplicate,
/// missing columns), ragged rows, required values, types, patterns, lengths and unique keys.
///
/// A broken header or an unreadable byte stops the file: every later finding would be noise.
struct CSVFileCheck {
    let schema: ColumnSchema
    let fileName: String

    /// A class, so that the per-field lookup shares it instead of copying its strings and tables.
    private final class CompiledColumn {
        let column: ColumnSchema.Column
        let simplePattern: SimplePattern?
        let regex: Regex<AnyRegexOutput>?

        init(column: ColumnSchema.Column, simplePattern: SimplePattern?, regex: Regex<AnyRegexOutput>?) {
            self.column = column
            self.simplePattern = simplePattern
            self.regex = regex
        }
    }

    /// Runs the checks; `rules` sees every row that is not ragged. Returns the number of data rows.
    @discardableResult
    func run(url: URL, findings: inout FindingList, rules: (CSVRecord, inout FindingList) -> Void) throws -> Int {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
        guard size > 0 else {
            findings.error(
                .csvEmptyFile, "the file is empty", file: fileName, line: 1, column: 0,
                hint: "a drop file needs at least its header row; was it saved before it was written?")
            return 0
        }
        let reader = try CSVReader(url: url)
        do {
            guard let header = try reader.next() else {
                findings.error(.csvEmptyFile, "the file has no header row", file: fileName, line: 1, column: 0)
                return 0
            }
            guard let columns = checkHeader(header, findings: &findings) else { return 0 }
            let compiled = columns.map { name -> CompiledColumn? in
                guard let column = schema.column(named: name) else { return nil }
                let simple = column.pattern.flatMap(SimplePattern.init)
                let regex = simple == nil ? column.pattern.flatMap { try? Regex($0) } : nil
                return CompiledColumn(column: column, simplePattern: simple, regex: regex)
            }
            let layout = CSVLayout(names: columns)
            let positions = layout.positions
            var keys = KeyIndex(
                positions: schema.columns.filter { $0.unique == true }.compactMap { positions[$0.name] })
            let keyPosition = positions[schema.keyColumn]
            var rows = 0
            while let row = try reader.next() {
                rows += 1
                if rows == 1 { keys.reserve(fileSize: size, firstRow: row) }
                guard row.fields.count == columns.count else {
                    findings.error(
                        .csvRaggedRow, "the record has \(row.fields.count) fields, the header has \(columns.count)",
                        file: fileName, line: row.line, column: 0,
                        hint: "a field with a comma or a line break must be in double quotes")
                    continue
                }
                var failed: UInt64 = 0
                for (index, field) in row.fields.enumerated() {
                    guard let entry = compiled[index] else { continue }
                    if let problem = check(
                        field, entry, values: row.fields, positions: positions, dialect: reader.dialect)
                    {
                        failed |= 1 << UInt64(index)
                        findings.error(
                            problem.rule, problem.message, file: fileName, line: row.line, column: index + 1,
                            record: keyPosition.map { row.fields[$0 - 1] }, field: entry.column.name, hint: problem.hint
                        )
                    }
                }
                keys.check(row, names: columns, file: fileName, failed: &failed, findings: &findings)
                rules(
                    CSVRecord(
                        line: row.line, fields: row.fields, layout: layout, failed: failed,
                        decimalComma: reader.dialect.decimalComma),
                    &findings)
            }
            return rows
        } catch let error as CSVSyntaxError {
            findings.error(
                error.kind.id, error.message, file: fileName, line: error.line, column: error.column, hint: error.hint)
            return 0
        }
    }

    /// The unique columns' keys seen so far, by hash, each with the line it first appeared on.
    private struct KeyIndex {
        /// 1-based field positions of the unique columns.
        let positions: [Int]
        var seen: [[Int: Int]]

        init(positions: [Int]) {
            self.positions = positions
            seen = Array(repeating: [:], count: positions.count)
        }

        /// Sized once from the first record: growing a million-key table step by step holds the old
        /// and the new table at once, the largest part of peak memory.
        mutating func reserve(fileSize: Int, firstRow row: CSVRow) {
            let recordBytes = max(8, row.fields.reduce(row.fields.count) { $0 + $1.utf8.count })
            for slot in seen.indices { seen[slot].reserveCapacity(min(fileSize / recordBytes, 1 << 22)) }
        }

        /// A key that appeared before is an error on its field; fields that already failed are left alone.
        mutating func check(
            _ row: CSVRow, names: [String], file: String, failed: inout UInt64, findings: inout FindingList
        ) {
            for (slot, position) in positions.enumerated() where failed & (1 << UInt64(position - 1)) == 0 {
                let key = row.fields[position - 1]
                guard !key.isEmpty else { continue }
                var hasher = Hasher()
                hasher.combine(key)
                let hash = hasher.finalize()
                guard let first = seen[slot][hash] else {
                    seen[slot][hash] = row.line
                    continue
                }
                failed |= 1 << UInt64(position - 1)
                let name = names[position - 1]
                findings.error(
                    .csvDuplicateKey, "\(name) \(key) already appears on line \(first)", file: file, line: row.line,
                    column: position, record: key, field: name, hint: "each \(name) may appear once in a file")
            }
        }
    }

    /// The header's column names, or nil (with findings) when the header is unusable.
    private func checkHeader(_ header: CSVRow, findings: inout FindingList) -> [String]? {
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var ok = true
        var seen: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            if schema.column(named: name) == nil {
                ok = false
                let suggestion = schema.columnNames.min { editDistance($0, name) < editDistance($1, name) }
                let close = suggestion.map { editDistance($0, name) <= 2 } ?? false
                findings.error(
                    .csvUnknownColumn, "column \"\(name)\" is not a \(schema.fileType) column", file: fileName, line: 1,
                    column: index + 1,
                    field: name,
                    hint: close
                        ? "did you mean \(suggestion ?? "")?"
                        : "the columns are \(schema.columnNames.joined(separator: ", "))")
            } else if let first = seen[name] {
                ok = false
                findings.error(
                    .csvDuplicateColumn, "column \(name) appears twice (first as column \(first))", file: fileName,
                    line: 1,
                    column: index + 1, field: name, hint: "remove one of them")
            }
            seen[name] = seen[name] ?? index + 1
        }
        for column in schema.columns where column.required && seen[column.name] == nil {
            ok = false
            findings.error(
                .csvMissingColumn, "the required column \(column.name) is missing", file: fileName, line: 1, column: 0,
                field: column.name, hint: "add a \(column.name) column: \(column.description)")
        }
        return ok ? names : nil
    }

    private struct Problem {
        var rule: ValidationRule
        var message: String
        var hint: String?
    }

    private func check(
        _ value: String, _ entry: CompiledColumn, values: [String], positions: [String: Int], dialect: CSVDialect
    ) -> Problem? {
        let column = entry.column
        guard !value.isEmpty else { return missing(column, values: values, positions: positions) }
        // utf8.count is O(1); the character count is only worked out when the bytes could be too many.
        if let maximum = column.maxLength, value.utf8.count > maximum, value.count > maximum {
            return Problem(
                rule: .csvTooLong,
                message: "\(column.name) has \(value.count) characters, at most \(maximum) are allowed",
                hint: "Visma keeps at most \(maximum); shorten it in FlexyBox")
        }
        if let minimum = column.minLength, value.utf8.count < minimum || value.count < minimum {
            return Problem(
                rule: .csvTooShort, message: "\(column.name) needs at least \(minimum) characters",
                hint: column.description)
        }
        if let problem = typeProblem(value, column, dialect: dialect) { return problem }
        // The customer rules say more about countries and e-mail addresses than a pattern could.
        guard column.type != .countryCode, column.type != .email else { return nil }
        if let pattern = entry.simplePattern, !pattern.matches(value) {
            return Problem(
                rule: .csvPattern, message: "\(column.name) \"\(value)\" does not fit \(column.pattern ?? "")",
                hint: column.description)
        }
        if let regex = entry.regex, (try? regex.wholeMatch(in: value)) == nil {
            return Problem(
                rule: .csvPattern, message: "\(column.name) \"\(value)\" does not fit \(column.pattern ?? "")",
                hint: column.description)
        }
        return nil
    }

    /// An empty field: a problem when the column, or another field's value, requires it.
    private func missing(_ column: ColumnSchema.Column, values: [String], positions: [String: Int]) -> Problem? {
        if column.required {
            return Problem(rule: .csvMissingValue, message: "\(column.name) is required", hint: column.description)
        }
        if let condition = column.requiredWhen, let position = positions[condition.column],
            values[position - 1] == condition.equals
        {
            return Problem(
                rule: .csvMissingValue,
                message: "\(column.name) is required when \(condition.column) is \(condition.equals)",
                hint: column.description)
        }
        return nil
    }

    /// A value that is not of its column's type: number, date, true/false or one of the allowed values.
    private func typeProblem(_ value: String, _ column: ColumnSchema.Column, dialect: CSVDialect) -> Problem? {
        switch column.type {
        case .decimal:
            return decimalProblem(value, column, dialect: dialect)
        case .date where BusinessDay(value) == nil:
            return Problem(rule: .csvInvalidDate, message: "\(value) is not a date", hint: "write dates as YYYY-MM-DD")
        case .boolean where value != "true" && value != "false":
            return Problem(
                rule: .csvInvalidValue, message: "\(column.name) \"\(value)\" is not true or false",
                hint: "write true or false (in English, lower case)")
        case .enumeration:
            guard let allowed = column.values, !allowed.contains(value) else { return nil }
            return Problem(
                rule: .csvInvalidValue,
                message: "\(column.name) \"\(value)\" is not one of \(allowed.joined(separator: ", "))",
                hint: column.description)
        default:
            return nil
        }
    }

    private func decimalProblem(_ value: String, _ column: ColumnSchema.Column, dialect: CSVDialect) -> Problem? {
        let scale = column.scale ?? 2
        switch FixedPoint.read(value, scale: scale, decimalComma: dialect.decimalComma) {
        case .value(let amount):
            guard column.sign == .nonNegative, amount.units < 0 else { return nil }
            return Problem(rule: .csvNegative, message: "\(column.name) must not be negative", hint: column.description)
        case .notANumber:
            return Problem(
                rule: .csvInvalidNumber, message: "\(column.name) \"\(value)\" is not a number",
                hint: dialect.decimalComma
                    ? "write amounts like 1.234,50"
                    : "write amounts like 1234.50 (dot as decimal mark, no thousands separator)")
        case .tooManyDecimals:
            return Problem(
                rule: .csvDecimalScale, message: "\(column.name) \(value) has more than \(scale) decimals",
                hint: "round to \(scale) decimals")
        case .outOfRange:
            return Problem(
                rule: .numberOutOfRange,
                message: "\(column.name) \(value) is larger than the pipeline can hold exactly",
                hint: "at most \(15 - scale) digits before the decimal mark; check the value in FlexyBox")
        }
    }
}

/// Levenshtein distance, for "did you mean" on column names.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

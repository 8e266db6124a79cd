import FlexyVismaCore
import Foundation
import VismaAPI

/// Journal lines as we wrote them and as Visma shows them, to the øre.
enum VismaLines {
    /// A line of a write DTO (`{"value": …}` wrappers).
    static func written(_ line: JSONValue, journalBranch: String?) -> BookedLine? {
        func value(_ key: String) -> JSONValue? { line[key]?["value"] }
        guard let account = value("accountNumber")?.stringValue else { return nil }
        return BookedLine(
            account: account, branch: value("branch")?.stringValue ?? journalBranch,
            vatCategory: value("vatCodeId")?.stringValue,
            vatId: value("vatId")?.stringValue, debit: ore(value("debitAmountInCurrency")),
            credit: ore(value("creditAmountInCurrency")),
            reference: value("referenceNumber")?.stringValue)
    }

    /// A line of `JournalTransactionDto`: ids plain or inside `{id, description}` / `{number, …}` objects.
    static func held(_ line: JSONValue, journalBranch: String?) -> BookedLine? {
        func identifier(_ key: String) -> String? {
            guard let field = line[key], field != .null else { return nil }
            return field.stringValue ?? field["id"]?.stringValue ?? field["number"]?.stringValue
        }
        guard let account = identifier("accountNumber") ?? identifier("account") else { return nil }
        return BookedLine(
            account: account, branch: identifier("branch") ?? journalBranch,
            vatCategory: identifier("vatCode") ?? identifier("vatCodeId"),
            vatId: identifier("vat") ?? identifier("vatId"),
            debit: ore(line["debitAmountInCurrency"] ?? line["debitAmount"]),
            credit: ore(line["creditAmountInCurrency"] ?? line["creditAmount"]),
            reference: line["referenceNumber"]?.stringValue)
    }

    /// A decimal amount to øre, half away from zero; 0 for a missing, non-numeric or absurd value.
    static func ore(_ value: JSONValue?) -> Int64 {
        guard let number = value?.numberValue ?? value?.stringValue.flatMap(Double.init), number.isFinite,
            abs(number) < 1e13
        else { return 0 }
        return Int64((number * 100).rounded(.toNearestOrAwayFromZero))
    }
}

/// A journal as Visma holds it, its lines gathered from every page they came on.
public struct HeldJournal: Sendable {
    public var number: String
    public var status: String
    public var period: String
    public var date: String
    public var description: String
    public var branch: String?
    public var lines: [BookedLine]
    /// Visma's line numbers seen so far.
    var lineNumbers: Set<Double> = []
    /// Attachment id → latest revision, when the list carried `attachments` (else read from the journal itself).
    var attachments: [String: Int]?

    /// Whether a line carries `key` as Ref. no.
    func carries(_ key: String) -> Bool { lines.contains { $0.reference == key } }
}

/// A customer payment as Visma holds it.
public struct HeldPayment: Sendable {
    public var number: String
    public var paymentRef: String
    public var type: String
    public var status: String
    public var amount: Int64
}

/// What Visma holds in the periods and branches reconciliation reads: GETs only, every list paged.
public struct VismaHoldings: Sendable {
    public var journals: [String: HeldJournal] = [:]
    public var payments: [String: HeldPayment] = [:]
    /// Master data and purchase orders by kind, then Visma's number.
    public var masterNumbers: [String: Set<String>] = [:]
    public var requests = 0

    /// The financial periods (`YYYYPP`) whose dates meet `from`…`to`.
    static func periods(_ all: [FinancialPeriodDto], from: String, to: String) -> [String] {
        all.compactMap { period -> String? in
            guard let id = period.period, let start = period.startDate?.prefix(10), let end = period.endDate?.prefix(10)
            else { return nil }
            return start <= to && end >= from ? id : nil
        }.sorted()
    }

    /// Reads journals of `branches` (nil: unfiltered) in `periods` and customer payments in `periods` (one paged list
    /// per period and branch).
    public static func read(
        _ reader: VismaReader, periods: [String], branches: [String?], masterKinds: Set<String>
    ) async throws -> VismaHoldings {
        var holdings = VismaHoldings()
        for period in periods {
            for branch in branches {
                let list =
                    "/v2/journaltransaction?periodId=\(PercentEncoding.encode(period))"
                    + (branch.map { "&branch=\(PercentEncoding.encode($0))" } ?? "")
                for element in try await holdings.pages(reader, list) { holdings.addJournal(element) }
            }
            let payments = "/v1/customerPayment?financialPeriod=\(PercentEncoding.encode(period))"
            for element in try await holdings.pages(reader, payments) {
                guard let number = element["refNbr"]?.stringValue else { continue }
                holdings.payments[number] = HeldPayment(
                    number: number, paymentRef: element["paymentRef"]?.stringValue ?? "",
                    type: element["type"]?.stringValue ?? "",
                    status: element["status"]?.stringValue ?? "", amount: VismaLines.ore(element["paymentAmount"]))
            }
        }
        let masterLists = [
            ("inventory", "/v1/inventory", "inventoryNumber"), ("customer", "/v1/customer", "number"),
            ("purchaseOrder", "/v1/purchaseorder", "orderNbr"),
        ]
        for (kind, list, field) in masterLists where masterKinds.contains(kind) {
            holdings.masterNumbers[kind] = Set(
                try await holdings.pages(reader, list).compactMap { $0[field]?.stringValue })
        }
        return holdings
    }

    /// Every element of a paged list (Visma's page cap and `AnswerNumbers.maximumPages` respected).
    mutating func pages(_ reader: VismaReader, _ list: String) async throws -> [JSONValue] {
        var count = 0
        defer { requests += count }
        return try await VismaReader.collectPages(pageSize: 1000) { page, size in
            count += 1
            let elements = try await reader.get(
                VismaReader.path(list, page: page, pageSize: size), as: [JSONValue].self)
            let metadata = elements.first?["metadata"]
            return VismaReader.Page(
                elements: elements, totalCount: AnswerNumbers.count(metadata?["totalCount"]?.numberValue),
                maxPageSize: AnswerNumbers.count(metadata?["maxPageSize"]?.numberValue))
        }
    }

    /// Adds a journal, or the lines of one whose lines were split across pages (Visma pages journal lines, not journals).
    mutating func addJournal(_ element: JSONValue) {
        guard let number = element["batchNumber"]?.stringValue else { return }
        let branch = element["branch"].flatMap { $0.stringValue ?? $0["number"]?.stringValue ?? $0["id"]?.stringValue }
        var lines: [BookedLine] = []
        var lineNumbers = journals[number]?.lineNumbers ?? []
        for line in element["journalTransactionLines"]?.arrayValue ?? [] {
            // A line a page repeats (pages cut through a journal) is counted once.
            if let lineNumber = line["lineNumber"]?.numberValue, !lineNumbers.insert(lineNumber).inserted { continue }
            if let booked = VismaLines.held(line, journalBranch: branch) { lines.append(booked) }
        }
        if journals[number] != nil {
            journals[number]?.lines += lines
            journals[number]?.lineNumbers = lineNumbers
            return
        }
        journals[number] = HeldJournal(
            number: number, status: element["status"]?.stringValue ?? "",
            period: element["financialPeriod"]?.stringValue ?? "",
            date: String((element["transactionDate"]?.stringValue ?? "").prefix(10)),
            description: element["description"]?.stringValue ?? "",
            branch: branch, lines: lines, lineNumbers: lineNumbers,
            attachments: element["attachments"]?.arrayValue.map(Self.attachmentRevisions))
    }

    /// `AttachmentDto`s as id → revision.
    static func attachmentRevisions(_ list: [JSONValue]) -> [String: Int] {
        var revisions: [String: Int] = [:]
        for item in list {
            guard let id = item["id"]?.stringValue else { continue }
            revisions[id.lowercased()] = AnswerNumbers.count(item["revision"]?.numberValue) ?? 0
        }
        return revisions
    }

    /// Reads the attachments of `numbers` the journal lists did not carry: one GET per journal.
    mutating func readAttachments(_ reader: VismaReader, of numbers: Set<String>) async throws {
        for number in numbers.sorted() where journals[number] != nil && journals[number]?.attachments == nil {
            requests += 1
            let journal = try await reader.get(
                "/v2/journaltransaction/\(PercentEncoding.encode(number))", as: JSONValue.self)
            journals[number]?.attachments = Self.attachmentRevisions(journal["attachments"]?.arrayValue ?? [])
        }
    }
}

import FlexyVismaCore
import Foundation

/// The kinds of record the simulator keeps, as named by `/_simulator/entities?kind=`.
public enum EntityKind: String, Codable, Sendable, CaseIterable {
    case inventory
    case kitSpecification
    case customer
    case customerPayment
    case purchaseOrder
    case journalTransaction
}

/// Everything the simulated company holds: its reference data and what was created through the API.
struct CompanyState: Codable {
    var fixture: CompanyFixture
    /// Read DTOs by kind, then by key (inventory number, `kit/revision`, document number…).
    var entities: [EntityKind: [String: JSONValue]] = [:]
    /// Creation order per kind, for stable paging.
    var order: [EntityKind: [String]] = [:]
    var nextInternalId = 1000
    var nextDocumentNumber: [EntityKind: Int] = [:]
    /// Releases asked for so far (for `behaviour.queuedReleaseEvery`); absent in states saved before it.
    var releaseCount: Int?
    /// `kind/number` of documents whose release answered `Queued` and is not done yet.
    var queuedReleases: [String]?
    /// Files attached to documents, with their revisions (`Attachments.swift`); absent in states saved before it.
    var attachments: [StoredAttachment]?

    init(fixture: CompanyFixture) { self.fixture = fixture }

    func entity(_ kind: EntityKind, _ key: String) -> JSONValue? { entities[kind]?[key] }

    func all(_ kind: EntityKind) -> [JSONValue] {
        (order[kind] ?? []).compactMap { entities[kind]?[$0] }
    }

    mutating func insert(_ kind: EntityKind, _ key: String, _ dto: JSONValue) {
        if entities[kind]?[key] == nil { order[kind, default: []].append(key) }
        entities[kind, default: [:]][key] = dto
    }

    mutating func makeInternalId() -> Int {
        nextInternalId += 1
        return nextInternalId
    }

    /// The next number of a Visma numbering series, for documents sent without `overrideNumberSeries`.
    mutating func makeDocumentNumber(_ kind: EntityKind, prefix: String) -> String {
        var number = nextDocumentNumber[kind, default: 1]
        while entities[kind]?["\(prefix)\(String(format: "%06d", number))"] != nil { number += 1 }
        nextDocumentNumber[kind] = number + 1
        return "\(prefix)\(String(format: "%06d", number))"
    }

    // MARK: Reference data lookups

    func itemClass(_ id: String) -> CompanyFixture.ItemClass? { fixture.itemClasses.first { $0.id == id } }
    func paymentMethod(_ id: String) -> CompanyFixture.PaymentMethod? { fixture.paymentMethods.first { $0.id == id } }
    func supplier(_ number: String) -> CompanyFixture.Supplier? { fixture.suppliers.first { $0.number == number } }
    func branch(_ number: String) -> CompanyFixture.Branch? { fixture.branches.first { $0.number == number } }
    func account(_ number: String) -> CompanyFixture.Account? { fixture.accounts.first { $0.number == number } }
    func period(_ id: String) -> CompanyFixture.FinancialPeriod? { fixture.financialPeriods.first { $0.period == id } }

    /// The period whose dates contain `date` (`yyyy-MM-dd…`): how Visma finds a document's period.
    func period(containing date: String) -> CompanyFixture.FinancialPeriod? {
        fixture.financialPeriods.first { $0.contains(date: date) }
    }

    /// Checks that a period exists, is active and is open in `module`; `what` names the document for the message.
    func requireOpenPeriod(_ id: String, in module: CompanyFixture.FinancialPeriod.Module, for what: String) throws {
        guard let period = period(id) else {
            throw VismaError.badRequest(
                "Error: Financial period \(CompanyState.displayPeriod(id)) does not exist. (\(what))")
        }
        guard period.active else {
            throw VismaError.badRequest("Error: Financial period \(period.displayId) is inactive. (\(what))")
        }
        guard !period.isClosed(in: module) else {
            throw VismaError.badRequest(
                "Error: Financial period \(period.displayId) is closed in \(module.rawValue). (\(what))")
        }
    }

    /// The open period of a document date in `module`.
    func requireOpenPeriod(
        containing date: String, in module: CompanyFixture.FinancialPeriod.Module, for what: String
    ) throws -> String {
        guard let period = period(containing: date) else {
            throw VismaError.badRequest(
                "Error: No financial period is defined for the date \(date.prefix(10)). (\(what))")
        }
        try requireOpenPeriod(period.period, in: module, for: what)
        return period.period
    }

    /// `202611` → `11-2026`, as Visma shows periods.
    static func displayPeriod(_ id: String) -> String {
        id.count == 6 ? "\(id.suffix(2))-\(id.prefix(4))" : id
    }

    /// `YYYYMM` of a date-time text `YYYY-MM-DD…`.
    static func periodOf(date: String) -> String? {
        let digits = Array(date.prefix(7))
        guard digits.count == 7, digits[4] == "-" else { return nil }
        return String(digits[0..<4]) + String(digits[5..<7])
    }
}

import FlexyVismaCore
import Foundation

/// Journal lines and VAT transactions from the general ledger ("VAT entry from general ledger", GL301000).
///
/// Lines sharing a `referenceNumber` form a document; in it a VAT line (`vatId`, on the VAT's payable
/// account) needs taxable lines (`vatCodeId`, a VAT category containing that VAT), the document must
/// balance, and the VAT must match round(taxable × rate). Sourced in `docs/VISMA.md`.
extension CompanyState {
    /// One accepted journal line, with what the VAT checks need.
    struct JournalLine {
        var number: Int
        var debit: Int64
        var credit: Int64
        var referenceNumber: String?
        var vatId: String?
        var category: CompanyFixture.VatCategory?
        var rendered: JSONValue
        /// Credit minus debit: how a sales document counts taxable and VAT amounts.
        var creditBalance: Int64 { credit - debit }
    }

    func journalLine(_ line: WriteDTO, index: Int, createVat: Bool, defaultBranch: String?) throws -> JournalLine {
        let number = index + 1
        let accountNumber = try line.requiredString("accountNumber", "Account")
        guard let account = account(accountNumber), account.active else {
            throw VismaError.badRequest(
                "Error: Line \(number): Account '\(accountNumber)' does not exist or is inactive.")
        }
        try Self.refuseControlAccount(account, line: number)
        let debit = ore(try line.number("debitAmountInCurrency") ?? 0)
        let credit = ore(try line.number("creditAmountInCurrency") ?? 0)
        guard debit >= 0, credit >= 0, !(debit > 0 && credit > 0) else {
            throw VismaError.badRequest(
                "Error: Line \(number): a line has either a debit or a credit amount, not negative and not both.")
        }
        let reference = try line.string("referenceNumber")
        var category: CompanyFixture.VatCategory?
        if let categoryId = try line.string("vatCodeId") {
            guard let found = fixture.vatCategories.first(where: { $0.id == categoryId }) else {
                throw VismaError.badRequest(
                    "Error: Line \(number): VAT category '\(categoryId)' cannot be found in the system.")
            }
            guard found.active else {
                throw VismaError.badRequest("Error: Line \(number): VAT category '\(categoryId)' is inactive.")
            }
            category = found
        }
        let vat = try line.string("vatId").map {
            try vatLine($0, account: accountNumber, reference: reference, line: number, createVat: createVat)
        }
        let rendered = JSONValue.object([
            "lineNumber": .number(try line.number("lineNumber") ?? Double(number)),
            "accountNumber": .string(account.number), "description": .string(account.description),
            "debitAmount": amount(debit), "debitAmountInCurrency": amount(debit),
            "creditAmount": amount(credit), "creditAmountInCurrency": amount(credit),
            "transactionDescription": .text(try line.string("transactionDescription")),
            "referenceNumber": .text(reference),
            "vatCode": category.map { ["id": .string($0.id), "description": .string($0.description)] } ?? .null,
            "vat": vat.map { ["id": .string($0.id), "description": .string($0.description)] } ?? .null,
            "branch": .text(try line.string("branch") ?? defaultBranch),
        ]).compacted
        return JournalLine(
            number: number, debit: debit, credit: credit, referenceNumber: reference, vatId: vat?.id,
            category: category, rendered: rendered)
    }

    /// A line's VAT ID: allowed only on a VAT transaction, known, on its payable account, with a Ref. no.
    private func vatLine(
        _ id: String, account: String, reference: String?, line: Int, createVat: Bool
    ) throws -> CompanyFixture.VatCode {
        guard fixture.behaviour.vatEntryFromGeneralLedger else {
            throw VismaError.badRequest(
                "Error: Line \(line): VAT ID '\(id)' cannot be used: the functionality 'VAT entry from general ledger' is not enabled in this company."
            )
        }
        guard createVat else {
            throw VismaError.badRequest(
                "Error: Line \(line): VAT ID '\(id)' can only be used when 'Create VAT transactions' is selected for the batch."
            )
        }
        guard let vat = fixture.vatCodes.first(where: { $0.id == id }) else {
            throw VismaError.badRequest("Error: Line \(line): TaxID '\(id)' cannot be found in the system.")
        }
        guard let payable = vat.vatPayableAccount, payable == account else {
            throw VismaError.badRequest(
                "Error: Line \(line): Account '\(account)' is not the VAT payable account of VAT '\(id)' (\(vat.vatPayableAccount ?? "none set"))."
            )
        }
        guard let reference, !reference.isEmpty else {
            throw VismaError.badRequest(
                "Error: Line \(line): a line with VAT ID '\(id)' needs a Ref. no. that groups it with its taxable lines."
            )
        }
        return vat
    }

    /// Per Ref. no.: balanced, every VAT with a taxable line, and (unless skipped) the VAT amount as calculated.
    func checkVatDocuments(_ lines: [JournalLine], skipAmountValidation: Bool) throws {
        let documents = Dictionary(
            grouping: lines.filter { !($0.referenceNumber ?? "").isEmpty }, by: { $0.referenceNumber ?? "" })
        for (reference, document) in documents.sorted(by: { $0.key < $1.key }) {
            let vatIds = Set(document.compactMap(\.vatId))
            guard !vatIds.isEmpty || document.contains(where: { $0.category != nil }) else { continue }
            guard document.reduce(0, { $0 + $1.debit }) == document.reduce(0, { $0 + $1.credit }) else {
                throw VismaError.badRequest(
                    "Error: Document with Reference Nbr. \(reference) is not balanced. Tax information may not be created for it."
                )
            }
            for vatId in vatIds.sorted() {
                let taxable = document.filter { $0.vatId == nil && $0.category?.vatIds?.contains(vatId) == true }
                guard !taxable.isEmpty else {
                    throw VismaError.badRequest(
                        "Error: Document Reference Nbr. \(reference) doesn't contain any taxable lines that can be applied to \(vatId) Tax"
                    )
                }
                guard !skipAmountValidation, let vat = fixture.vatCodes.first(where: { $0.id == vatId }) else {
                    continue
                }
                let taxableAmount = taxable.reduce(0) { $0 + $1.creditBalance }
                let entered = document.filter { $0.vatId == vatId }.reduce(0) { $0 + $1.creditBalance }
                let calculated = Self.vatAmount(taxable: taxableAmount, ratePercent: vat.ratePercent)
                // One øre per taxable line: the simulator's allowance for amounts rounded line by line (see the docs).
                guard abs(calculated - entered) <= Int64(taxable.count) else {
                    throw VismaError.badRequest(
                        "Error: Tax Amount \(Self.text(entered)) does not match the amount \(Self.text(calculated)) calculated from taxable amount \(Self.text(taxableAmount)) and tax Rate \(Self.rateText(vat.ratePercent))% for Tax \(vatId) in the document \(reference)"
                    )
                }
            }
        }
    }

    /// round(taxable × rate / 100) to the øre, half away from zero.
    static func vatAmount(taxable: Int64, ratePercent: Double) -> Int64 {
        Int64((Double(taxable) * ratePercent / 100).rounded(.toNearestOrAwayFromZero))
    }

    static func rateText(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int64(rate)) : String(rate)
    }
}

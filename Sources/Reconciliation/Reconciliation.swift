import FlexyVismaCore
import Foundation
import VismaAPI

/// `flexyvisma audit reconcile`: what Visma holds against what the ledger and the archived batches say we booked.
///
/// Reads only: the ledger read only, the batch folders, and GETs to Visma (one paged list per financial period and
/// branch for journals, one per period for customer payments, one each for items, customers and purchase orders, and
/// one per journal whose vouchers the journal list did not show).
/// Takes no lock and never halts the pipeline.
public enum Reconciliation {
    /// The periods read after the last day asked for: a repost of a day in a closed period books in a later one.
    static let laterPeriods = 24

    public static func run(
        root: PipelineRoot, configuration: PipelineConfiguration, secret: ClientSecret, from: String?, to: String?,
        today: String
    ) async throws -> ReconciliationResult {
        let ours = try OurRecords.read(root: root, configuration: configuration)
        let days = ours.journals.values.map(\.day) + ours.payments.values.map(\.day)
        let first = from ?? days.min() ?? today
        let last = to ?? days.max() ?? today
        guard first <= last else { throw OperatorMessage(.usage, "--from \(first) is after --to \(last)") }
        let enabled = configuration.departments.filter { $0.value.enabled }
        var departmentOfBranch: [String: String] = [:]
        for (name, department) in enabled { if let branch = department.branch { departmentOfBranch[branch] = name } }
        // A department without a branch books journals without one: then the periods are read unfiltered.
        let branchFilters: [String?] =
            enabled.values.contains { $0.branch == nil } ? [nil] : departmentOfBranch.keys.sorted().map { $0 }

        let reader = try VismaReader(connection: VismaConnection(configuration: configuration, secret: secret))
        let periods = try await reader.get("/v1/financialPeriod", as: [FinancialPeriodDto].self)
        let asked = VismaHoldings.periods(periods, from: first, to: last)
        let later = VismaHoldings.periods(periods, from: last.succeeding, to: max(last, today)).filter {
            !asked.contains($0)
        }
        let read = asked + later.prefix(laterPeriods)
        let masterKinds = Set(ours.masterRecords.map(\.kind))
        var held = try await VismaHoldings.read(
            reader, periods: read, branches: branchFilters, masterKinds: from == nil && to == nil ? masterKinds : [])
        held.requests += 1
        let range = first...last
        try await held.readAttachments(reader, of: Set(ours.vouchers(inRange: range).map(\.journalNumber)))

        let reconciler = Reconciler(
            ours: ours, held: held, branches: Set(departmentOfBranch.keys),
            tenderAccounts: Set(configuration.paymentTypes.values.map(\.account)),
            roundingAccount: configuration.accounts.rounding, departmentOfBranch: departmentOfBranch)
        let journals = reconciler.compareJournals(range)
        let dayTotals = reconciler.compareDays(range)
        let payments = reconciler.comparePayments(range)
        let master = reconciler.compareMasterRecords()
        let vouchers = reconciler.compareVouchers(range)
        return ReconciliationResult(
            from: first, to: last,
            differences: journals + vouchers + dayTotals.differences + payments.differences + master.differences,
            journalsCompared: reconciler.journals(inRange: range).count, paymentsCompared: payments.compared,
            masterRecordsCompared: master.compared,
            daysCompared: dayTotals.days, vouchersCompared: reconciler.vouchers(inRange: range).count,
            requests: held.requests)
    }
}

extension String {
    /// The day after a `yyyy-MM-dd` day (the text unchanged when it is not one).
    var succeeding: String {
        guard let day = BusinessDay(self) else { return self }
        return day.adding(days: 1).text
    }
}

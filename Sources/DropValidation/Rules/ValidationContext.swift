import FlexyVismaCore
import Foundation

/// What the rules check against: the configuration, Visma's reference data and earlier batches.
struct ValidationContext {
    let configuration: PipelineConfiguration
    let reference: ReferenceSnapshot
    let history: HistorySnapshot
    /// A repost batch (`RepostRequest.verified`): its days were sent before and are booked again as a difference,
    /// in the first open period when theirs is closed; its payments Visma holds already are not sent again.
    var isRepost = false

    let itemClasses: [String: ReferenceSnapshot.ItemClass]
    let units: Set<String>
    let vismaItems: [String: ReferenceSnapshot.Item]
    let vismaCustomers: Set<String>
    let customerClasses: Set<String>
    /// Per configured FlexyBox VAT code: why its VAT cannot be booked as configured, if it cannot.
    let vatProblems: [String: (message: String, hint: String)]

    init(configuration: PipelineConfiguration, reference: ReferenceSnapshot, history: HistorySnapshot) {
        self.configuration = configuration
        self.reference = reference
        self.history = history
        itemClasses = Dictionary(reference.itemClasses.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        units = Set(reference.units)
        vismaItems = Dictionary(reference.items.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        // By our number: the customers Visma had before FlexyVisma and those FlexyVisma created (whatever number Visma gave them).
        vismaCustomers = Set(reference.customers.map(\.number)).union((reference.customerKeys ?? [:]).keys)
        customerClasses = Set(reference.customerClasses)
        vatProblems = Self.vatProblems(configuration: configuration, reference: reference)
    }

    /// Why a day cannot be booked in `module` in Visma, or nil when the period containing it takes postings.
    ///
    /// The period is the one whose dates contain the day (a financial year need not start in January).
    func periodProblem(day: String, module: ReferenceSnapshot.FinancialPeriod.Module) -> String? {
        guard let period = reference.financialPeriod(containing: day) else {
            return "no financial period in Visma contains \(day)"
        }
        let name = "financial period \(period.displayId) (\(period.startDate) – \(period.endDate))"
        guard period.active else { return "\(name) is inactive in Visma" }
        return period.isClosed(in: module) ? "\(name) is closed in Visma's \(module.rawValue)" : nil
    }

    /// With VAT transactions every VAT line goes to its VAT ID's payable account and Visma recomputes the VAT
    /// at the VAT ID's rate: the VAT ID must exist in Visma with a payable account and the configured rate, and a
    /// configured `outputVatAccount` must name that account. Snapshots without VAT IDs are not checked.
    static func vatProblems(
        configuration: PipelineConfiguration, reference: ReferenceSnapshot
    ) -> [String: (message: String, hint: String)] {
        guard configuration.pipeline.effectiveJournalVat == .vatTransactions, let vats = reference.vats else {
            return [:]
        }
        var problems: [String: (message: String, hint: String)] = [:]
        for (code, settings) in configuration.vatCodes {
            guard let vat = vats.first(where: { $0.id == settings.vismaVatCode }) else {
                problems[code] = (
                    "VAT code \(code) is mapped to VAT ID \(settings.vismaVatCode), which does not exist in Visma",
                    "set vatCodes.\(code).vismaVatCode in flexyvisma.json to a VAT ID of the Visma company (VAT, TX205000)"
                )
                continue
            }
            guard let payable = vat.payableAccount, !payable.isEmpty else {
                problems[code] = (
                    "Visma's VAT ID \(vat.id) has no VAT payable account, so its VAT cannot be booked as a VAT transaction",
                    "set the VAT payable account of VAT \(vat.id) in Visma (VAT, TX205000, GL accounts)"
                )
                continue
            }
            if let rate = vat.ratePercent, rate != Double(settings.ratePercent) {
                problems[code] = (
                    "vatCodes.\(code).ratePercent is \(settings.ratePercent) but Visma's VAT \(vat.id) has the rate \(rate.formatted()) %, so Visma would refuse the VAT amount",
                    "map VAT code \(code) to a Visma VAT ID with \(settings.ratePercent) % under vatCodes.\(code).vismaVatCode in flexyvisma.json"
                )
            } else if let configured = settings.outputVatAccount, configured != payable {
                problems[code] = (
                    "vatCodes.\(code).outputVatAccount is \(configured) but Visma books VAT \(vat.id) on its VAT payable account \(payable)",
                    "set vatCodes.\(code).outputVatAccount to \(payable) in flexyvisma.json, or remove it"
                )
            }
        }
        return problems
    }

    /// The Visma payment method for a FlexyBox payment type: mapped in config, else matched by name.
    enum PaymentMethodMatch {
        case active(String)
        case inactive(String)
        case missing
    }

    func paymentMethod(for paymentType: String) -> PaymentMethodMatch {
        let wanted = configuration.paymentTypes[paymentType]?.vismaPaymentMethod
        let candidates = reference.paymentMethods.filter { method in
            if let wanted { return method.id == wanted }
            return method.description == paymentType || method.id == paymentType
        }
        if let active = candidates.first(where: \.active) { return .active(active.id) }
        if let inactive = candidates.first { return .inactive(inactive.id) }
        return .missing
    }
}

/// What earlier accepted batches carried, as far as validation needs it.
struct HistorySnapshot {
    var itemKinds: [String: String] = [:]
    var kitProducts: Set<String> = []
    var paymentIds: Set<String> = []
    /// `day|department` → the batch that carried that day's receipts.
    var receiptDays: [String: String] = [:]
}

/// Items of this batch, read before the rules that need them (calculations, payments, orders).
struct BatchItem {
    let number: String
    let kind: String
    let line: Int
    let file: String
    /// The unit the item is created with (base, sales and purchase unit alike; STK when the file names none).
    let unit: String
}

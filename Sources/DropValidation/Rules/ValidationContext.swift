import FlexyVismaCore
import Foundation

/// What the rules check against: the configuration, Visma's reference data and earlier batches.
struct ValidationContext {
    let configuration: PipelineConfiguration
    let reference: ReferenceSnapshot
    let history: HistorySnapshot

    let itemClasses: [String: ReferenceSnapshot.ItemClass]
    let units: Set<String>
    let vismaItems: [String: ReferenceSnapshot.Item]
    let vismaCustomers: Set<String>
    let customerClasses: Set<String>
    let periods: [String: ReferenceSnapshot.FinancialPeriod]

    init(configuration: PipelineConfiguration, reference: ReferenceSnapshot, history: HistorySnapshot) {
        self.configuration = configuration
        self.reference = reference
        self.history = history
        itemClasses = Dictionary(reference.itemClasses.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        units = Set(reference.units)
        vismaItems = Dictionary(reference.items.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        // By our number: the customers Visma had before FlexyVisma and those FlexyVisma created (whatever number Visma gave them).
        vismaCustomers = Set(reference.customers).union((reference.customerKeys ?? [:]).keys)
        customerClasses = Set(reference.customerClasses)
        periods = Dictionary(reference.financialPeriods.map { ($0.period, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Why a day cannot be posted in Visma, or nil when its financial period is open.
    func periodProblem(day: String) -> String? {
        let period = String(day.prefix(4) + day.dropFirst(5).prefix(2))
        guard let found = periods[period] else { return "financial period \(day.prefix(7)) does not exist in Visma" }
        return found.closed ? "financial period \(day.prefix(7)) is closed in Visma" : nil
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
}

import FlexyVismaCore

/// `payments.csv`: payment method by name, known customer, non-zero amount, never-seen payment id, open period.
struct PaymentRules {
    let context: ValidationContext
    /// Customers of this batch, with whether they passed their own checks.
    let batchCustomers: [String: (line: Int, complete: Bool)]
    /// A file repeats a handful of payment types and dates a million times: each is looked up once.
    private var methods: [String: ValidationContext.PaymentMethodMatch] = [:]
    private var periodProblems: [String: String?] = [:]

    init(context: ValidationContext, batchCustomers: [String: (line: Int, complete: Bool)]) {
        self.context = context
        self.batchCustomers = batchCustomers
    }

    mutating func check(_ record: CSVRecord, file: String, findings: inout FindingList) {
        let id = record["payment_id"] ?? "?"
        func error(_ rule: ValidationRule, _ column: String, _ message: String, _ hint: String) {
            findings.error(
                rule, message, file: file, line: record.line, column: record.column(column), record: id, field: column,
                hint: hint)
        }
        if let type = record.usable("payment_type") {
            let match = methods[type] ?? context.paymentMethod(for: type)
            methods[type] = match
            switch match {
            case .active: break
            case .inactive(let method):
                error(
                    .paymentUnknownMethod, "payment_type",
                    "no active Visma payment method is named \"\(type)\" (\(method) is inactive)",
                    "activate payment method \(method) in Visma, or map \"\(type)\" to an active one under paymentTypes in config"
                )
            case .missing:
                error(
                    .paymentUnknownMethod, "payment_type", "no Visma payment method is named \"\(type)\"",
                    "create payment method '\(type)' in Visma, or map it under paymentTypes in config")
            }
        }
        if let customer = record.usable("customer_number") {
            if let inBatch = batchCustomers[customer] {
                if !inBatch.complete, !context.vismaCustomers.contains(customer) {
                    error(
                        .paymentCustomerRejected, "customer_number",
                        "customer \(customer) is in this batch (customers.csv line \(inBatch.line)) but cannot be created in Visma",
                        "fix the customer's findings first")
                }
            } else if !context.vismaCustomers.contains(customer) {
                error(
                    .paymentUnknownCustomer, "customer_number",
                    "customer \(customer) exists neither in Visma nor in this batch",
                    "add the customer to customers.csv in the same drop, or create it in Visma")
            }
        }
        if let amount = record.amount("amount"), amount.units == 0 {
            error(.paymentZeroAmount, "amount", "amount must not be 0", "a deposit is positive, a withdrawal negative")
        }
        if let date = record.usable("date") {
            let problem =
                periodProblems[date]
                ?? (BusinessDay(date) != nil ? context.periodProblem(day: date, module: .customerLedger) : nil)
            periodProblems[date] = problem
            if let problem {
                error(
                    .paymentClosedPeriod, "date", problem,
                    "open the period for the customer ledger in Visma (Financial periods, GL201000), or ask the bookkeeper where the payment belongs"
                )
            }
        }
        if !context.isRepost, let paymentId = record.usable("payment_id"), !context.history.paymentIds.isEmpty,
            context.history.paymentIds.contains(paymentId)
        {
            error(
                .paymentDuplicateId, "payment_id", "payment_id \(paymentId) was already sent in an earlier batch",
                "a payment is sent once; if this is a correction, give it a new payment_id")
        }
    }
}

import FlexyVismaCore

extension CompanyDoctor {
    /// Company settings the pipeline relies on that Visma's API does not show; windows as Visma's documentation names them.
    static func manualChecks(_ configuration: PipelineConfiguration) -> [ManualCheck] {
        var checks = [
            ManualCheck(
                setting: "\"VAT entry from general ledger\" is enabled",
                whereToLook: "Enable/disable functionalities (CS100000)",
                why:
                    "the daily journals carry their output VAT; without the functionality Visma does not create VAT transactions from them."
            ),
            ManualCheck(
                setting:
                    "\"Allow manual numbering on imports\" is ticked on the numbering series of customers and customer payments "
                    + "(customer ledger preferences, AR101000), journals (general ledger preferences, GL102000) and purchase orders",
                whereToLook: "Numbering series (CS201010)",
                why:
                    "FlexyVisma sends its own numbers (overrideNumberSeries); without the setting Visma gives its own numbers — FlexyVisma keeps "
                    + "them in its ledger and finds each document by its own key, but the numbers in Visma then differ from FlexyBox's."
            ),
            ManualCheck(
                setting:
                    "Quantity decimal places equal pipeline.quantityDecimalPlaces (\(configuration.pipeline.effectiveQuantityDecimalPlaces))",
                whereToLook: "the company's general settings (Visma's API documentation names no window)",
                why:
                    "kit component quantities are compared at this precision; a different setting makes every night send a new kit revision."
            ),
        ]
        if !configuration.customers.requiredFields.isEmpty {
            checks.append(
                ManualCheck(
                    setting: "the customer fields this company requires are among customers.requiredFields ("
                        + configuration.customers.requiredFields.map(\.rawValue).joined(separator: ", ") + ")",
                    whereToLook: "Customers (AR303000) and Customer classes (AR201000)",
                    why:
                        "validation rejects customers missing these fields before anything is sent; a field Visma requires beyond them halts the upload."
                ))
        }
        return checks
    }
}

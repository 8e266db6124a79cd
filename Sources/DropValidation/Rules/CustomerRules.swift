import FlexyVismaCore

/// `customers.csv`: the fields this Visma company requires, country, e-mail, CVR, customer class.
struct CustomerRules {
    let context: ValidationContext

    /// Returns whether the customer is complete enough to be created in Visma.
    @discardableResult
    func check(_ record: CSVRecord, file: String, findings: inout FindingList) -> Bool {
        guard let number = record.usable("customer_number") else { return false }
        var complete = !record.hasFailures
        func error(_ rule: ValidationRule, _ column: String, _ message: String, _ hint: String) {
            complete = false
            findings.error(
                rule, message, file: file, line: record.line, column: record.column(column), record: number,
                field: column, hint: hint)
        }
        // An empty country is DK, so requiring it asks nothing of the file.
        for required in context.configuration.customers.requiredFields
        where required != .country && record[required.rawValue] == nil {
            let field = required.rawValue
            error(
                .customerMissingRequired, field, "\(field) is required by this Visma company",
                "fill in \(field) for customer \(number) in FlexyBox, then export again")
        }
        let country = record["country"] ?? "DK"
        if !ISOCountries.codes.contains(country) {
            error(
                .customerInvalidCountry, "country", "\"\(country)\" is not an ISO 3166 alpha-2 country code",
                country.lowercased().hasPrefix("dan") ? "write DK" : "use the two-letter code, e.g. DK, SE, DE")
        }
        if let email = record["email"], !Self.looksLikeEmail(email) {
            error(
                .customerInvalidEmail, "email", "\"\(email)\" is not an e-mail address",
                "correct it, or leave the field empty")
        }
        if country == "DK", let cvr = record["vat_number"] {
            let digits = cvr.uppercased().replacingOccurrences(of: "DK", with: "").filter { !$0.isWhitespace }
            if digits.count != 8 || !digits.allSatisfy(\.isASCII) || !digits.allSatisfy(\.isNumber) {
                error(
                    .customerInvalidCVR, "vat_number",
                    "a Danish CVR number has 8 digits, \"\(cvr)\" has \(digits.filter(\.isNumber).count)",
                    "look the company up on cvr.dk")
            }
        }
        let customerClass = record["customer_class"] ?? context.configuration.customers.defaultCustomerClass
        if !context.customerClasses.contains(customerClass) {
            error(
                .customerUnknownClass, record["customer_class"] == nil ? "customer_number" : "customer_class",
                "customer class \(customerClass) does not exist in Visma",
                "create it in Visma, or use one of \(context.customerClasses.sorted().joined(separator: ", "))")
        }
        return complete
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(where: \.isWhitespace) else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }
}

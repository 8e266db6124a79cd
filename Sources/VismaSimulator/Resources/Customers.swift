import FlexyVismaCore
import Foundation

/// `/v1/customer`: required fields as this company configures them, class must exist, numbers unique.
extension CompanyState {
    static let customerWrapped: Set<String> = [
        "number", "name", "status", "accountReference", "numberOfEmployees", "parentRecordNumber", "currencyId",
        "creditLimit", "creditDaysPastDue", "customerClassId", "creditTermsId", "printInvoices", "acceptAutoInvoices",
        "sendInvoicesByEmail", "sendDunningLettersViaEMail", "printDunningLetters", "printStatements",
        "sendStatementsByEmail", "printMultiCurrencyStatements", "invoiceToDefaultLocation", "vatRegistrationId",
        "corporateId", "vatZoneId", "gln", "note", "mainAddress", "mainContact", "creditVerification", "invoiceAddress",
        "invoiceContact", "statementType", "deliveryAddress", "deliveryContact", "priceClassId", "eInvoiceContract",
        "defaultPaymentMethod", "glAccounts", "overrideNumberSeries", "excludeDebtCollection",
    ]
    static let addressWrapped: Set<String> = [
        "addressLine1", "addressLine2", "addressLine3", "postalCode", "city", "countryId", "county",
    ]
    static let contactWrapped: Set<String> = ["name", "attention", "email", "web", "phone1", "phone2", "fax"]
    static let customerStatuses = ["Active", "OnHold", "CreditHold", "Inactive", "OneTime"]
    /// Visma's field labels, as its "'…' cannot be empty" messages name them.
    static let customerFieldLabels = [
        "addressLine1": "Address Line 1", "postalCode": "Postal Code", "city": "City", "countryId": "Country",
        "email": "Email", "phone": "Phone 1",
    ]

    func listCustomers(_ query: [String: String]) throws -> Outcome {
        var customers = all(.customer)
        if let name = query["name"] { customers = customers.filter { $0["name"]?.stringValue == name } }
        if let corporateId = query["corporateId"] {
            customers = customers.filter { $0["corporateId"]?.stringValue == corporateId }
        }
        return .ok(try paging(query, "customer").arrayResponse(customers))
    }

    func getCustomer(_ number: String) throws -> Outcome {
        guard let customer = entity(.customer, number) else {
            throw VismaError.notFound("Customer with customerCd = \(number) not found.")
        }
        return .ok(customer)
    }

    mutating func createCustomer(_ body: JSONValue) throws -> Outcome {
        let dto = try customerDTO(body)
        let number: String
        if numbering(.customer) == .automatic {
            // The series numbers every customer; a supplied number (override or not) is replaced.
            _ = try dto.bool("overrideNumberSeries")
            number = makeDocumentNumber(.customer, prefix: "")
        } else {
            // Manual customer IDs ("'Customer ID' cannot be empty" without one), kept as sent.
            number = try dto.requiredString("number", "Customer ID")
            guard entity(.customer, number) == nil else {
                throw VismaError.badRequest(
                    "Error inserting the customer. Error: Customer ID '\(number)' already exists.")
            }
        }
        let rendered = try renderCustomer(dto, number: number, existing: nil)
        insert(.customer, number, rendered)
        return .created("/v1/customer/\(Self.pathSegment(number))")
    }

    mutating func updateCustomer(_ number: String, _ body: JSONValue) throws -> Outcome {
        guard let existing = entity(.customer, number) else {
            throw VismaError.notFound("Customer with customerCd = \(number) not found.")
        }
        insert(.customer, number, try renderCustomer(try customerDTO(body), number: number, existing: existing))
        return .noContent
    }

    private func customerDTO(_ body: JSONValue) throws -> WriteDTO {
        try WriteDTO(
            body, dto: "CustomerUpdateDto", wrapped: Self.customerWrapped, bare: ["overrideWithClassValues"],
            lines: ["directDebitLines", "attributeLines"])
    }

    private mutating func renderCustomer(_ dto: WriteDTO, number: String, existing: JSONValue?) throws -> JSONValue {
        let resetToClass = try dto.bareBool("overrideWithClassValues") == true
        let name = try dto.string("name") ?? existing?["name"]?.stringValue ?? ""
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw VismaError.badRequest("Error inserting the customer. Error: 'Customer Name' cannot be empty.")
        }
        let customerClass = try customerClass(dto, existing: existing)
        let address = try dto.nested("mainAddress", dto: "AddressUpdateDto", wrapped: Self.addressWrapped)
        let contact = try dto.nested("mainContact", dto: "ContactInfoUpdateDto", wrapped: Self.contactWrapped)
        func field(_ key: String) throws -> String? {
            let value: String?
            switch key {
            case "email": value = try contact?.string("email") ?? existing?["mainContact"]?["email"]?.stringValue
            case "phone": value = try contact?.string("phone1") ?? existing?["mainContact"]?["phone1"]?.stringValue
            case "countryId":
                value = try address?.string("countryId") ?? existing?["mainAddress"]?["country"]?["id"]?.stringValue
            default: value = try address?.string(key) ?? existing?["mainAddress"]?[key]?.stringValue
            }
            return value?.trimmingCharacters(in: .whitespaces).isEmpty == false ? value : nil
        }
        for required in fixture.customerRequiredFields where try field(required) == nil {
            throw VismaError.badRequest(
                "Error inserting the customer. Error: Inserting 'Customer' record raised at least one error. Please review the errors.\r\nError: '\(Self.customerFieldLabels[required] ?? required)' cannot be empty.\r\n"
            )
        }
        let country = try field("countryId")
        if let country, country.count != 2 || !country.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            throw VismaError.badRequest("Error inserting the customer. Error: Country '\(country)' does not exist.")
        }
        let status =
            try dto.enumeration("status", Self.customerStatuses) ?? existing?["status"]?.stringValue ?? "Active"
        let internalId = existing?["internalId"]?.numberValue.map { Int($0) } ?? makeInternalId()
        func kept(_ key: String) throws -> JSONValue { .text(try dto.string(key) ?? existing?[key]?.stringValue) }
        let now = Self.now()
        return JSONValue.object([
            "internalId": .number(Double(internalId)),
            "number": .string(number),
            "name": .string(name),
            "status": .string(status),
            "customerClass": ["id": .string(customerClass.id), "description": .string(customerClass.description)],
            "creditTerms": try creditTerms(dto, customerClass: customerClass, existing: resetToClass ? nil : existing),
            "mainAddress": JSONValue.object([
                "addressLine1": .text(try field("addressLine1")),
                "addressLine2": .text(
                    try address?.string("addressLine2") ?? existing?["mainAddress"]?["addressLine2"]?.stringValue),
                "postalCode": .text(try field("postalCode")),
                "city": .text(try field("city")),
                "country": country.map { ["id": .string($0), "name": .string($0)] } ?? .null,
            ]).compacted,
            "mainContact": JSONValue.object([
                "name": .text(try contact?.string("name") ?? existing?["mainContact"]?["name"]?.stringValue),
                "email": .text(try field("email")),
                "phone1": .text(try field("phone")),
            ]).compacted,
            "vatRegistrationId": try kept("vatRegistrationId"), "corporateId": try kept("corporateId"),
            "accountReference": try kept("accountReference"),
            "currencyId": "DKK",
            "createdDateTime": existing?["createdDateTime"] ?? .string(now),
            "lastModifiedDateTime": .string(now),
        ]).compacted
    }

    /// The class sent, else the customer's; it must exist.
    private func customerClass(_ dto: WriteDTO, existing: JSONValue?) throws -> CompanyFixture.CustomerClass {
        let classId = try dto.string("customerClassId") ?? existing?["customerClass"]?["id"]?.stringValue
        guard let classId, !classId.isEmpty else {
            throw VismaError.badRequest("Error inserting the customer. Error: 'Customer Class' cannot be empty.")
        }
        guard let customerClass = fixture.customerClasses.first(where: { $0.id == classId }) else {
            throw VismaError.badRequest(
                "Error inserting the customer. Error: Customer class '\(classId)' does not exist.")
        }
        return customerClass
    }

    /// Credit terms: as sent, else kept; a new customer, or `overrideWithClassValues: true`, takes the class's —
    /// which overwrites what the bookkeeper set (upstream CustomerMaint: class defaults on a class change when confirmed).
    private func creditTerms(
        _ dto: WriteDTO, customerClass: CompanyFixture.CustomerClass, existing: JSONValue?
    ) throws -> JSONValue {
        if let sent = try dto.string("creditTermsId") { return ["id": .string(sent), "description": .string(sent)] }
        if let existing { return existing["creditTerms"] ?? .null }
        return customerClass.creditTermsId.map { ["id": .string($0), "description": .string($0)] } ?? .null
    }

    func customerClassList() -> Outcome {
        .ok(
            .array(
                fixture.customerClasses.map {
                    [
                        "id": .string($0.id), "description": .string($0.description), "requiredTaxzoneId": false,
                        "attributes": [],
                    ]
                }))
    }
}

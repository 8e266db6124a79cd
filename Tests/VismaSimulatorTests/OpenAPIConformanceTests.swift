import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaSimulator

/// What the simulator accepts and answers fits Visma's official OpenAPI document.
@Suite struct OpenAPIConformanceTests {
    @Test(
        .enabled(
            if: Repository.officialOpenAPI != nil,
            "Visma's OpenAPI document is absent: set VISMA_OPENAPI or place it at ../shared/reference/visma-openapi.json"
        ))
    func everyAcceptedRequestAndEveryAnswerFitsTheOfficialSchema() async throws {
        let spec = try #require(Repository.officialOpenAPI)
        let exchanges = try await RunningSimulator.with { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            try await Self.exerciseEveryEndpoint(client)
            return client.exchanges
        }
        // Only accepted writes are checked as requests: a refused body is refused because it is wrong.
        let checked = exchanges.map { exchange -> VismaTestClient.Exchange in
            var exchange = exchange
            if !(200..<300).contains(exchange.status) { exchange.requestBody = nil }
            return exchange
        }
        let folder = try TemporaryFolder("conformance")
        let file = folder.path("exchanges.json")
        try JSONEncoder().encode(checked).write(to: file)
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", Repository.root.appendingPathComponent("Scripts/check-openapi-conformance").path, spec.path,
                file.path,
            ])
        #expect(result.status == 0, "\(result)")
        let coveredOperations = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("  covered: ") }
            .count
        #expect(coveredOperations >= 33, "\(result.standardOutput)")
    }

    /// The checker itself catches what it exists to catch, so that its silence above means something.
    @Test(.enabled(if: Repository.officialOpenAPI != nil, "Visma's OpenAPI document is absent"))
    func theCheckerFlagsUnwrappedScalarsUndeclaredPropertiesWrongTypesAndUnknownOperations() throws {
        let spec = try #require(Repository.officialOpenAPI)
        let wrong: [VismaTestClient.Exchange] = [
            .init(
                method: "POST", path: "/v1/inventory", status: 201, requestBody: #"{"inventoryNumber": "1001"}"#,
                responseBody: "{}"),
            .init(
                method: "GET", path: "/v1/inventory/1001", status: 200, requestBody: nil,
                responseBody: #"{"stockItem": "yes", "colour": "red"}"#),
            .init(method: "GET", path: "/v1/nonsense", status: 200, requestBody: nil, responseBody: nil),
        ]
        let folder = try TemporaryFolder("conformance")
        let file = folder.path("wrong.json")
        try JSONEncoder().encode(wrong).write(to: file)
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", Repository.root.appendingPathComponent("Scripts/check-openapi-conformance").path, spec.path,
                file.path,
            ])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("request.inventoryNumber must be an object"))
        #expect(result.standardOutput.contains("'yes' is not of type 'boolean'"))
        #expect(result.standardOutput.contains("response.colour is not a property"))
        #expect(result.standardOutput.contains("no such operation"))
    }

    /// One valid call of every implemented operation, and the common refusals.
    static func exerciseEveryEndpoint(_ client: VismaTestClient) async throws {
        for path in [
            "/v1/inventory/itemClass", "/v1/unitofmeasure", "/v1/vatCategory", "/v1/paymentmethod", "/v1/supplier",
            "/v1/supplier/50001", "/v1/customer/customerClass", "/v1/branch", "/v1/financialPeriod", "/v1/account",
            "/v1/vat", "/v1/vat/U25", "/v1/numberSequence",
        ] {
            #expect(try await client.get(path).status == 200, "\(path)")
        }
        #expect(try await client.post("/v1/inventory", Payloads.stockItem("R-100")).status == 201)
        #expect(try await client.post("/v1/inventory", Payloads.product("1001", kit: false)).status == 201)
        #expect(try await client.post("/v1/inventory", Payloads.product("1002", kit: true)).status == 201)
        #expect(
            try await client.put(
                "/v1/inventory/1001", #"{"description": {"value": "Espresso"}, "defaultPrice": {"value": 32.0}}"#
            ).status == 204)
        #expect(try await client.get("/v1/inventory/1001").status == 200)
        #expect(try await client.get("/v1/inventory?pageNumber=1&pageSize=2").status == 200)
        #expect(try await client.get("/v1/inventory/NOPE").status == 404)
        #expect(
            try await client.post(
                "/v1/KitSpecifications", Payloads.kit("1002", revision: "1", stock: ["R-100", "1001"])
            ).status == 201)
        #expect(try await client.get("/v1/KitSpecifications/1002/1").status == 200)
        #expect(
            try await client.get("/v1/KitSpecifications?kitInventoryID=1002&pageNumber=1&pageSize=10").status == 200)
        #expect(
            try await client.post(
                "/v1/customer",
                Payloads.customer("K-1001").replacingOccurrences(
                    of: #""overrideWithClassValues": true,"#,
                    with:
                        #""overrideWithClassValues": true, "overrideNumberSeries": {"value": true}, "accountReference": {"value": "K-1001"},"#
                )
            ).status == 201)
        #expect(
            try await client.put("/v1/customer/K-1001", #"{"name": {"value": "Havnegadens Bowlingklub"}}"#).status
                == 204)
        #expect(try await client.get("/v1/customer/K-1001").status == 200)
        #expect(try await client.get("/v1/customer?pageNumber=1&pageSize=10").status == 200)
        #expect(try await client.post("/v1/customerPayment", Payloads.payment("P-1", customer: "K-1001")).status == 201)
        #expect(try await client.get("/v1/customerPayment/P-1").status == 200)
        #expect(
            try await client.post("/v1/customerPayment/P-1/action/release", #"{"type": {"value": "Payment"}}"#).status
                == 200)
        #expect(
            try await client.post(
                "/v1/customerPayment",
                Payloads.refund("P-2", customer: "K-1001", amount: 100, lines: [("Payment", "P-1", 100)])
            ).status == 201)
        #expect(
            try await client.post("/v1/customerPayment/P-2/action/release", #"{"type": {"value": "Refund"}}"#).status
                == 200)
        #expect(try await client.get("/v1/customerPayment?customer=K-1001&status=Open").status == 200)
        #expect(
            try await client.post("/v1/purchaseorder", Payloads.purchaseOrder("PO-1001", item: "R-100")).status == 201)
        #expect(try await client.get("/v1/purchaseorder/PO-1001").status == 200)
        #expect(try await client.get("/v1/purchaseorder?supplier=50001").status == 200)
        #expect(try await client.post("/v2/journaltransaction", Payloads.journal("J-20261128-CAFE")).status == 201)
        #expect(try await client.get("/v2/journaltransaction/J-20261128-CAFE").status == 200)
        #expect(try await client.get("/v2/journaltransaction?periodId=202611&pageNumber=1&pageSize=100").status == 200)
        #expect(try await client.post("/v2/journaltransaction/J-20261128-CAFE/action/release", "").status == 200)
        // Refusals are answered too (their bodies are checked where the document describes them).
        #expect(try await client.post("/v2/journaltransaction", Payloads.journal("J-2", debit: 1)).status == 400)
        #expect(try await client.post("/v1/customer", Payloads.customer("K-2", postalCode: nil)).status == 400)
    }
}

/// The built-in company and the configuration `flexyvisma init` writes describe the same Visma company.
@Suite struct SampleCompanyTests {
    @Test func everyMappingOfTheSampleConfigurationExistsInTheSampleCompany() {
        let configuration = PipelineConfiguration.sampleVenue(sourcePath: "x")
        let company = CompanyFixture.sampleVenue
        #expect(company.credentials.tenantId == configuration.visma.tenantId)
        #expect(company.credentials.clientId == configuration.visma.clientId)
        #expect(company.credentials.clientSecret == ClientSecret.simulatorDemoSecret)
        let stock = company.itemClasses.first { $0.id == configuration.itemClasses.stock }
        let nonStock = company.itemClasses.first { $0.id == configuration.itemClasses.nonStock }
        #expect(stock?.stockItem == true)
        #expect(nonStock?.stockItem == false)
        let accounts = Set(company.accounts.filter(\.active).map(\.number))
        for (name, type) in configuration.paymentTypes {
            #expect(company.paymentMethods.contains { $0.id == type.vismaPaymentMethod && $0.active }, "\(name)")
            #expect(accounts.contains(type.account), "\(name)")
        }
        for (name, group) in configuration.itemGroups { #expect(accounts.contains(group.revenueAccount), "\(name)") }
        for (code, vat) in configuration.vatCodes {
            #expect(company.vatCategories.contains { $0.id == vat.vismaVatCategory }, "\(code)")
            #expect(company.vatCodes.contains { $0.id == vat.vismaVatCode }, "\(code)")
            let vatId = company.vatCodes.first { $0.id == vat.vismaVatCode }
            #expect(vatId?.vatPayableAccount.map(accounts.contains) == true, "\(code)")
            #expect(vat.outputVatAccount == nil || vat.outputVatAccount == vatId?.vatPayableAccount, "\(code)")
            #expect(
                company.vatCategories.first { $0.id == vat.vismaVatCategory }?.vatIds?.contains(vat.vismaVatCode)
                    == true, "\(code)")
        }
        #expect(accounts.contains(configuration.accounts.rounding))
        for (name, department) in configuration.departments where department.enabled {
            #expect(company.branches.contains { $0.number == department.branch && $0.active }, "\(name)")
        }
        #expect(company.customerClasses.contains { $0.id == configuration.customers.defaultCustomerClass })
        #expect(company.financialPeriods.contains { $0.closedInGeneralLedger })
        #expect(company.paymentMethods.contains { !$0.active })
    }
}

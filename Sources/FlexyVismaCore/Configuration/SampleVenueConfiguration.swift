/// The configuration `flexyvisma init` writes: the sample venue in `Samples/` against the
/// built-in simulator company, so that the demo runs with no further setup.
extension PipelineConfiguration {
    public static let simulatorDefaultURL = "http://127.0.0.1:18080"
    public static let simulatorTenantId = "6f1d3f7e-3c1a-4d55-9a61-0b5a3c0f2a10"
    public static let simulatorClientId = "flexyvisma-demo"

    public static func sampleVenue(
        vismaBaseURL: String = simulatorDefaultURL, sourcePath: String
    ) -> PipelineConfiguration {
        let base = vismaBaseURL.hasSuffix("/") ? String(vismaBaseURL.dropLast()) : vismaBaseURL
        return PipelineConfiguration(
            schemaVersion: currentSchemaVersion,
            venue: Venue(name: "Café Havnegade", timeZone: "Europe/Copenhagen"),
            source: Source(kind: .sqlite, path: sourcePath),
            visma: Visma(
                baseURL: base,
                tokenURL: "\(base)/connect/token",
                tenantId: simulatorTenantId,
                clientId: simulatorClientId,
                scope: "vismanet_erp_service_api:create vismanet_erp_service_api:read vismanet_erp_service_api:update",
                clientSecretFile: "secrets/client-secret"),
            pipeline: Pipeline(
                settleSeconds: 10, uploadParallelism: 4, releaseDocuments: true, receiptsPosting: .dailyJournal,
                quantityDecimalPlaces: 4),
            departments: [
                "Café": Department(enabled: true, branch: "1", warehouse: "CAFE"),
                "Restaurant": Department(enabled: true, branch: "2", warehouse: "RESTAURANT"),
                "Bowling": Department(enabled: false, branch: nil),
            ],
            itemClasses: ItemClasses(stock: "LAGER", nonStock: "IKKELAGER"),
            vatCodes: [
                "25": VATCode(ratePercent: 25, vismaVatCategory: "1", vismaVatCode: "U25", outputVatAccount: "7200"),
                "0": VATCode(ratePercent: 0, vismaVatCategory: "3", vismaVatCode: "U0", outputVatAccount: "7200"),
            ],
            itemGroups: [
                "Kaffe": ItemGroup(revenueAccount: "1010"),
                "Te og kakao": ItemGroup(revenueAccount: "1010"),
                "Kolde drikke": ItemGroup(revenueAccount: "1020"),
                "Øl og vin": ItemGroup(revenueAccount: "1030"),
                "Bagværk": ItemGroup(revenueAccount: "1040"),
                "Frokost": ItemGroup(revenueAccount: "1050"),
                "Aftensmad": ItemGroup(revenueAccount: "1050"),
                "Dessert": ItemGroup(revenueAccount: "1040"),
                "Aviser": ItemGroup(revenueAccount: "1060"),
                "Aktiviteter": ItemGroup(revenueAccount: "1070"),
            ],
            paymentTypes: [
                "Kontant": PaymentType(vismaPaymentMethod: "KONTANT", account: "5510"),
                "Dankort": PaymentType(vismaPaymentMethod: "DANKORT", account: "5520"),
                "Visa/Mastercard": PaymentType(vismaPaymentMethod: "KORT", account: "5520"),
                "MobilePay": PaymentType(vismaPaymentMethod: "MOBILEPAY", account: "5530"),
                "Gavekort": PaymentType(vismaPaymentMethod: "GAVEKORT", account: "6850"),
            ],
            accounts: Accounts(rounding: "3690"),
            customers: CustomerRules(
                requiredFields: [.addressLine1, .postalCode, .city, .country],
                defaultCustomerClass: "DK"),
            notifications: Notifications(command: nil, repeatWhileHalted: nil, metricsFile: nil))
    }
}

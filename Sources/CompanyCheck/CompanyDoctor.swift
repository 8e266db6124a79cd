import FlexyVismaCore
import Foundation
import VismaAPI

/// `flexyvisma doctor`: checks the real Visma company against the configuration and the waiting batches, read-only.
///
/// Requests: one token, one GET per list in `listPaths`, and one `GET /v1/supplier?name=…` per distinct supplier
/// name in the waiting purchase orders — `requestBound(supplierNames:)` in all (plus one token refetch, should
/// Visma refuse a token mid-way).
public struct CompanyDoctor: Sendable {
    public let root: PipelineRoot
    public let configuration: PipelineConfiguration
    public let connection: VismaConnection

    public init(root: PipelineRoot, configuration: PipelineConfiguration, secret: ClientSecret) {
        self.root = root
        self.configuration = configuration
        connection = VismaConnection(configuration: configuration, secret: secret)
    }

    /// The lists the doctor reads, each with one GET (none of them is paged in Visma's document).
    public static let listPaths = [
        "/v1/account", "/v1/vat", "/v1/vatCategory", "/v1/paymentmethod", "/v1/branch", "/v1/warehouse",
        "/v1/financialPeriod",
        "/v1/numberSequence", "/v1/inventory/itemClass", "/v1/customer/customerClass", "/v1/unitofmeasure",
    ]
    /// Searched once per supplier name (`?name=`).
    public static let supplierPath = "/v1/supplier"

    /// The most requests a run sends: a token, the lists, one search per supplier name.
    public static func requestBound(supplierNames: Int) -> Int { 1 + listPaths.count + supplierNames }

    /// The scopes the pipeline needs (reads for the reference snapshot, creates and updates for the upload).
    static let neededScopes = [
        "vismanet_erp_service_api:read", "vismanet_erp_service_api:create", "vismanet_erp_service_api:update",
    ]

    public func run() async throws -> DoctorReport {
        let work = try WaitingWork.read(root: root)
        var report = DoctorReport(
            baseURL: connection.baseURL, checks: [], manualChecks: Self.manualChecks(configuration),
            waitingBatches: work.batches,
            unreadableFiles: work.unreadable, requests: 0, unreachable: nil)
        report.checks.append(scopeCheck())
        let reader = try VismaReader(connection: connection)
        do {
            _ = try await reader.tokens.token()
            report.requests += 1
            report.checks.append(
                .pass(
                    "credentials",
                    "Visma Connect issued a token to client \(connection.clientId) for tenant \(connection.tenantId)."))
        } catch let error as VismaClientError {
            report.requests += 1
            if error.exitStatus == .temporaryFailure {
                report.unreachable = error.message
            } else {
                report.checks.append(credentialsFailure(error))
            }
            return report
        }
        do {
            let facts = try await fetch(reader, work: work, requests: &report.requests)
            report.checks += CompanyChecks(configuration: configuration, work: work, facts: facts).all
        } catch let error as VismaClientError {
            if error.exitStatus == .temporaryFailure {
                report.unreachable = error.message
            } else {
                report.checks.append(
                    .fail(
                        "access", "Visma refused a read: \(error.message).",
                        fix: "give the API client read access to this company (its roles and the scope in visma.scope)."
                    ))
            }
        }
        return report
    }

    private func fetch(_ reader: VismaReader, work: WaitingWork, requests: inout Int) async throws -> CompanyFacts {
        var facts = CompanyFacts()
        func get<T: Decodable>(_ path: String, _ type: T.Type) async throws -> T {
            requests += 1
            return try await reader.get(path, as: type)
        }
        facts.accounts = try await get("/v1/account", [AccountDto].self)
        facts.vatIds = try await get("/v1/vat", [VatInformationDto].self)
        facts.vatCategories = try await get("/v1/vatCategory", [VatCategoryDto].self)
        facts.paymentMethods = try await get("/v1/paymentmethod", [PaymentMethodDto].self)
        facts.branches = try await get("/v1/branch", [BranchDto].self)
        facts.warehouses = try await get("/v1/warehouse", [WarehouseDto].self)
        facts.periods = try await get("/v1/financialPeriod", [FinancialPeriodDto].self)
        facts.numbering = try await get("/v1/numberSequence", [NumberingDto].self)
        facts.itemClasses = try await get("/v1/inventory/itemClass", [ItemClassDto].self)
        facts.customerClasses = try await get("/v1/customer/customerClass", [CustomerClassDto].self)
        facts.units = try await get("/v1/unitofmeasure", [UnitOfMeasureDto].self)
        for name in work.supplierNames.sorted() {
            // Paged as Visma asks of every list that pages; one page is plenty for one name.
            let path = VismaReader.path(
                "\(Self.supplierPath)?name=\(PercentEncoding.encode(name))", page: 1, pageSize: 100)
            facts.suppliersByName[name] = try await get(path, [SupplierDto].self)
        }
        return facts
    }

    func scopeCheck() -> DoctorCheck {
        let granted = Set(connection.scope.split(separator: " ").map(String.init))
        let missing = Self.neededScopes.filter { !granted.contains($0) }
        guard missing.isEmpty else {
            return .fail(
                "credentials", "visma.scope lacks \(missing.joined(separator: ", ")).",
                fix:
                    "add \(missing.joined(separator: " ")) to visma.scope in flexyvisma.json (and grant it to the API client in the Visma Developer Portal)."
            )
        }
        return .pass("credentials", "visma.scope asks for read, create and update.")
    }

    func credentialsFailure(_ error: VismaClientError) -> DoctorCheck {
        let finding = "Visma Connect refused the credentials (\(error.connectError ?? "no reason given"))."
        switch error.connectError {
        case "invalid_client":
            return .fail(
                "credentials", finding,
                fix:
                    "the client id (visma.clientId) or the client secret (secrets/client-secret or FLEXYVISMA_CLIENT_SECRET) is wrong: copy both again from the Visma Developer Portal."
            )
        case "invalid_tenant", "unauthorized_client":
            return .fail(
                "credentials", finding,
                fix:
                    "visma.tenantId is not a company this API client may use: check the tenant id and that the company has approved the integration."
            )
        case "invalid_scope":
            return .fail(
                "credentials", finding,
                fix:
                    "the API client is not granted the scopes in visma.scope: grant them in the Visma Developer Portal."
            )
        default:
            return .fail("credentials", finding, fix: "check visma.clientId, visma.tenantId and the client secret.")
        }
    }
}

import CompanyCheck
import DropValidation
import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaPayloads
import VismaSimulator
import VismaUpload

/// `flexyvisma doctor` against the simulator: the sample week exported and waiting in the root, the company broken one way at a time.
@Suite struct DoctorTests {
    /// Exports the sample week into the root's inbox and runs the doctor, after `breakCompany` changed the running company.
    static func doctor(
        _ company: CompanyFixture = .sampleVenue, secret: String = ClientSecret.simulatorDemoSecret,
        breakCompany: String? = nil, _ body: (DoctorReport, PipelineFixture) async throws -> Void
    ) async throws {
        try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            // Stage work runs off the cooperative pool, which the in-process simulator needs to answer.
            _ = try await offCooperativePool {
                try FlexBoxExportRun.export(
                    root: fixture.root, configuration: fixture.configuration, schemas: fixture.schemas)
            }
            if let breakCompany {
                let answer = try await VismaTestClient(baseURL: simulator.baseURL).send(
                    "POST", "/_simulator/fixture", json: breakCompany, record: false)
                #expect(answer.status == 200)
            }
            let report = try await CompanyDoctor(
                root: fixture.root, configuration: fixture.configuration, secret: ClientSecret(value: secret)
            ).run()
            try await body(report, fixture)
        }
    }

    /// The one failed check, which must name `words` and carry a fix.
    static func expectProblem(_ report: DoctorReport, area: String, naming words: [String], fix: String) {
        let failed = report.checks.filter { !$0.passed }
        #expect(failed.count == 1, "\(report.text)")
        #expect(failed.first?.area == area)
        for word in words {
            #expect(failed.first?.finding.contains(word) == true, "\(word) in \(failed.first?.finding ?? "")")
        }
        #expect(failed.first?.fix?.contains(fix) == true, "\(fix) in \(failed.first?.fix ?? "")")
        #expect(report.exitStatus == .configuration)
        #expect(report.text.contains("✗ \(failed.first?.finding ?? "")"))
    }

    /// What a night against the company ends in: validation's findings, or the upload's halt; nil when it went through.
    static func nightRefusal(_ fixture: PipelineFixture) async throws -> String? {
        let connection = fixture.connection
        let validated = try await ValidateStage(
            ValidateRequest(
                root: fixture.root, configuration: fixture.configuration, schemas: fixture.schemas, referenceFile: nil,
                fetchReference: { try await ReferenceFetcher.fetch(connection: connection) })
        ).run()
        guard validated.exitStatus == .success else { return validated.reportLines.joined(separator: "\n") }
        _ = try await offCooperativePool {
            try TransformStage(root: fixture.root, configuration: fixture.configuration).run()
        }
        let uploaded = try await fixture.upload()
        guard uploaded.exitStatus == .success else {
            return try HaltRecord.current(in: fixture.root)?.first?.message ?? "halted"
        }
        return nil
    }

    @Test func theSampleCompanyPassesEveryCheckWithinTheStatedNumberOfReads() async throws {
        try await Self.doctor { report, fixture in
            #expect(report.exitStatus == .success, "\(report.text)")
            #expect(report.checks.filter { !$0.passed }.isEmpty)
            #expect(report.waitingBatches.count == 1)
            #expect(report.text.contains("All checks passed."))
            #expect(report.manualChecks.contains { $0.whereToLook.contains("CS100000") })
            #expect(report.manualChecks.contains { $0.whereToLook.contains("CS201010") })
            // Every request the simulator saw was a read, and there were exactly as many as the bound says.
            let log = try await VismaTestClient(baseURL: fixture.simulator.baseURL).send(
                "GET", "/_simulator/requests", record: false)
            let requests = (log.jsonObject["requests"] as? [[String: Any]] ?? []).filter {
                !(($0["path"] as? String) ?? "").hasPrefix("/_simulator")
            }
            let work = try WaitingWork.read(root: fixture.root)
            #expect(work.supplierNames.count == 4)
            #expect(requests.count == CompanyDoctor.requestBound(supplierNames: work.supplierNames.count))
            #expect(report.requests == requests.count)
            #expect(
                requests.filter { ($0["method"] as? String) != "GET" }.map { $0["path"] as? String } == [
                    "/connect/token"
                ])
        }
    }

    @Test func aMissingAccountIsNamedWithTheSettingsThatMapIt() async throws {
        var company = CompanyFixture.sampleVenue
        company.accounts.removeAll { $0.number == "1050" }
        try await Self.doctor(company) { report, fixture in
            Self.expectProblem(
                report, area: "accounts", naming: ["1050", "itemGroups.Frokost.revenueAccount", "does not exist"],
                fix: "GL202500")
            let night = try await Self.nightRefusal(fixture)
            #expect(night?.contains("1050") == true, "\(night ?? "went through")")
        }
    }

    @Test func anInactiveAccountIsNamedAndTheNightWouldHaveHalted() async throws {
        try await Self.doctor(
            breakCompany:
                #"{"accounts": [{"number": "1010", "description": "Salg, kaffe og te", "type": "Income", "active": false}]}"#
        ) {
            report, fixture in
            Self.expectProblem(
                report, area: "accounts",
                naming: [
                    "1010", "itemGroups.Kaffe.revenueAccount", "itemGroups.Te og kakao.revenueAccount", "inactive",
                ],
                fix: "tick Active")
            let night = try await Self.nightRefusal(fixture)
            #expect(night?.contains("1010") == true, "\(night ?? "went through")")
        }
    }

    @Test func aControlAccountIsNamedAndTheNightWouldHaveHalted() async throws {
        try await Self.doctor(
            breakCompany:
                #"{"accounts": [{"number": "7200", "description": "Salgsmoms", "type": "Liability", "active": true, "controlAccountModule": "AR"}]}"#
        ) { report, fixture in
            Self.expectProblem(
                report, area: "accounts", naming: ["7200", "control account", "AR"], fix: "ordinary account")
            let night = try await Self.nightRefusal(fixture)
            #expect(night?.contains("control account") == true, "\(night ?? "went through")")
        }
    }

    @Test func anInactivePaymentMethodIsNamed() async throws {
        try await Self.doctor(
            breakCompany:
                #"{"paymentMethods": [{"id": "MOBILEPAY", "description": "MobilePay", "active": false, "meansOfPayment": "DirectDeposit", "cashAccount": "5530"}]}"#
        ) { report, _ in
            Self.expectProblem(
                report, area: "paymentMethods",
                naming: ["MOBILEPAY", "paymentTypes.MobilePay.vismaPaymentMethod", "inactive"], fix: "CA204000")
        }
    }

    @Test func aPeriodClosedForAWaitingDayIsNamedWithItsLedgerAndTheNightWouldHaveHalted() async throws {
        // The sample week lies in November 2026: closed in the general ledger only, the receipts cannot be booked
        // while the customer payments of the same days still can.
        var company = CompanyFixture.sampleVenue
        for index in company.financialPeriods.indices where company.financialPeriods[index].period == "202611" {
            company.financialPeriods[index].closedInGeneralLedger = true
        }
        try await Self.doctor(company) { report, fixture in
            let failed = report.checks.filter { !$0.passed }
            #expect(!failed.isEmpty)
            #expect(
                failed.allSatisfy {
                    $0.area == "periods" && $0.finding.contains("202611") && $0.fix?.contains("GL201000") == true
                })
            #expect(
                failed.contains { $0.finding.contains("general ledger") && $0.finding.contains("receipts of 2026-11-") }
            )
            #expect(!failed.contains { $0.finding.contains("customer ledger") })
            #expect(report.exitStatus == .configuration)
            let night = try await Self.nightRefusal(fixture)
            #expect(
                night?.contains("202611") == true || night?.contains("2026-11") == true, "\(night ?? "went through")")
        }
    }

    @Test func anInactiveBranchOfAnEnabledDepartmentIsNamed() async throws {
        try await Self.doctor(
            breakCompany: #"{"branches": [{"number": "2", "name": "Restaurant Havnegade", "active": false}]}"#
        ) { report, fixture in
            Self.expectProblem(
                report, area: "branches", naming: ["Branch 2", "departments.Restaurant.branch", "inactive"],
                fix: "CS101500")
            let night = try await Self.nightRefusal(fixture)
            #expect(night != nil)
        }
    }

    @Test func anInactiveWarehouseOfAnEnabledDepartmentIsNamedAndTheNightWouldHaveHalted() async throws {
        try await Self.doctor(
            breakCompany: #"{"warehouses": [{"id": "RESTAURANT", "description": "Restaurant", "active": false}]}"#
        ) { report, fixture in
            Self.expectProblem(
                report, area: "warehouses", naming: ["RESTAURANT", "departments.Restaurant.warehouse", "inactive"],
                fix: "IN204000")
            let night = try await Self.nightRefusal(fixture)
            #expect(
                night?.contains("Warehouse 'RESTAURANT' does not exist or is inactive.") == true,
                "\(night ?? "went through")")
        }
    }

    @Test func aMissingSupplierOfAWaitingPurchaseOrderIsNamedAndTheNightWouldHaveHalted() async throws {
        var company = CompanyFixture.sampleVenue
        company.suppliers.removeAll { $0.name == "Vinhuset Ribe" }
        try await Self.doctor(company) { report, fixture in
            Self.expectProblem(report, area: "suppliers", naming: ["Vinhuset Ribe", "No supplier"], fix: "AP303000")
            let night = try await Self.nightRefusal(fixture)
            #expect(night?.contains("Vinhuset Ribe") == true, "\(night ?? "went through")")
        }
    }

    @Test func anItemClassOfTheWrongTypeIsNamed() async throws {
        try await Self.doctor(
            breakCompany:
                #"{"itemClasses": [{"id": "LAGER", "description": "Lagervarer", "type": "NonStockItem", "stockItem": false}]}"#
        ) { report, _ in
            Self.expectProblem(
                report, area: "itemClasses", naming: ["LAGER", "itemClasses.stock", "NonStockItem"], fix: "stock")
        }
    }

    @Test func aMissingCustomerClassIsNamed() async throws {
        var company = CompanyFixture.sampleVenue
        company.customerClasses.removeAll { $0.id == "DK" }
        // The sample week's customers all name their class, so no night halts yet: the doctor finds what the first customer without one would hit.
        try await Self.doctor(company) { report, _ in
            Self.expectProblem(
                report, area: "customerClass", naming: ["DK", "customers.defaultCustomerClass"], fix: "AR201000")
        }
    }

    @Test func aMissingUnitTheWaitingBatchesUseIsNamed() async throws {
        var company = CompanyFixture.sampleVenue
        company.units.removeAll { $0 == "KG" }
        try await Self.doctor(company) { report, fixture in
            Self.expectProblem(report, area: "units", naming: ["Unit KG"], fix: "CS203100")
            let night = try await Self.nightRefusal(fixture)
            #expect(night?.contains("KG") == true, "\(night ?? "went through")")
        }
    }

    @Test func aWrongClientSecretIsRefusedWithTheFixAndExit78() async throws {
        try await Self.doctor(secret: "not-the-secret") { report, _ in
            Self.expectProblem(report, area: "credentials", naming: ["invalid_client"], fix: "client secret")
            #expect(report.requests == 1)
        }
    }

    @Test func aScopeTheUploadNeedsMissingFromTheConfigurationIsNamed() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            var fixture = try PipelineFixture(simulator: simulator)
            fixture.configuration.visma.scope = "vismanet_erp_service_api:read"
            let report = try await CompanyDoctor(
                root: fixture.root, configuration: fixture.configuration,
                secret: ClientSecret(value: ClientSecret.simulatorDemoSecret)
            ).run()
            Self.expectProblem(
                report, area: "credentials",
                naming: ["vismanet_erp_service_api:create", "vismanet_erp_service_api:update"], fix: "visma.scope")
        }
    }

    @Test func aVismaThatCannotBeReachedEndsIn75() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            var fixture = try PipelineFixture(simulator: simulator)
            // A port nothing listens on: the simulator's own port once it is known to be free is not guaranteed, so port 9 (discard).
            fixture.configuration.visma.baseURL = "http://127.0.0.1:9"
            fixture.configuration.visma.tokenURL = "http://127.0.0.1:9/connect/token"
            let report = try await CompanyDoctor(
                root: fixture.root, configuration: fixture.configuration,
                secret: ClientSecret(value: ClientSecret.simulatorDemoSecret)
            ).run()
            #expect(report.exitStatus == .temporaryFailure)
            #expect(report.unreachable != nil)
            #expect(report.text.contains("Visma cannot be reached"))
        }
    }
}

/// What the doctor takes from the waiting drops: batch folders in `inbox/` and `batches/`, single files in `inbox/`.
@Suite struct WaitingWorkTests {
    @Test func foldersAndSingleFilesAreReadAndAnUnreadableFileIsListed() throws {
        let folder = try TemporaryFolder("flexyvisma-waiting")
        let root = PipelineRoot(folder.url)
        for url in root.folders { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        let batch = root.batches.appendingPathComponent(BatchID.make().rawValue)
        try FileManager.default.createDirectory(at: batch, withIntermediateDirectories: true)
        try Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <receipts xmlns="urn:flexyvisma:receipts:1" businessDay="2026-11-24" department="Café"></receipts>
            """.utf8
        ).write(to: batch.appendingPathComponent("receipts-cafe-2026-11-24.xml"))
        try Data("payment_id,date,customer_number,amount\nP-1,2026-11-25,K-1,10.00\n".utf8).write(
            to: root.inbox.appendingPathComponent("payments.csv"))
        try Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <purchaseOrders xmlns="urn:flexyvisma:purchase-orders:1">
              <purchaseOrder number="PO-1" supplier="Hørkram A/S" date="2026-11-24"><line item="R-1" quantity="1" unit="PAK" unitCost="1.00"/></purchaseOrder>
            </purchaseOrders>
            """.utf8
        ).write(to: root.inbox.appendingPathComponent("purchase_orders-extra.xml"))
        try Data("item_number,unit\n\"unterminated\n".utf8).write(to: root.inbox.appendingPathComponent("items.csv"))
        try Data("ignored".utf8).write(to: root.inbox.appendingPathComponent(".export-under-way"))
        let work = try WaitingWork.read(root: root)
        #expect(work.receiptDays == ["2026-11-24"])
        #expect(work.paymentDays == ["2026-11-25"])
        #expect(work.supplierNames == ["Hørkram A/S"])
        #expect(work.units.contains("PAK"))
        #expect(work.batches.count == 4)
        #expect(work.unreadable == ["items.csv"], "\(work.unreadable)")
    }
}

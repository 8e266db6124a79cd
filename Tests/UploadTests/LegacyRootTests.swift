import DropValidation
import FlexyVismaCore
import Foundation
import GRDB
import PipelineOperations
import StateStore
import TestSupport
import Testing
import VismaPayloads
import VismaSimulator
import VismaUpload

/// A root left half-way through an upload by the version before state was versioned
/// (`Tests/Fixtures/legacy-root-v1`, made by `Scripts/make-legacy-root`) goes on with this one.
@Suite struct LegacyRootTests {
    static let fixture = Repository.root.appendingPathComponent("Tests/Fixtures/legacy-root-v1", isDirectory: true)

    /// A copy of the fixture's root, its config pointed at `simulator`.
    func copyRoot(
        into folder: TemporaryFolder, simulator: RunningSimulator
    ) throws -> (PipelineRoot, PipelineConfiguration) {
        let root = PipelineRoot(folder.url.appendingPathComponent("root", isDirectory: true))
        try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent("root"), to: root.url)
        for url in root.folders where !FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        var configuration = try PipelineConfiguration.load(from: root)
        configuration.visma.baseURL = simulator.baseURL
        configuration.visma.tokenURL = simulator.baseURL + "/connect/token"
        try configuration.encoded().write(to: root.configFile)
        return (root, configuration)
    }

    @Test func planReadsALegacyLedgerWithoutMigratingIt() throws {
        let folder = try TemporaryFolder("legacy-root")
        let root = PipelineRoot(folder.url.appendingPathComponent("root", isDirectory: true))
        try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent("root"), to: root.url)
        let plan = try UploadPlan.run(root: root)
        #expect(plan.entries.filter { $0.action == "skip (already sent)" }.count == 7)
        #expect(plan.entries.filter { $0.action == "create" }.isEmpty == false)
        let tables = try DatabaseQueue(path: UploadLedger.file(in: root).path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        #expect(tables == ["ledger"])
    }

    func migrations(_ url: URL) throws -> [String] {
        try DatabaseQueue(path: url.path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
    }

    func rows(in table: String, of url: URL) throws -> Int {
        try DatabaseQueue(path: url.path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }

    /// The fixture's journals were transformed before journals were VAT transactions: their revenue lines
    /// carry the VAT ID (`U25`, `U0`) where Visma wants a VAT category. A company with categories of those
    /// ids takes them, so that this test stays about carrying on with a legacy root's state.
    static var companyTakingLegacyJournals: CompanyFixture {
        var company = CompanyFixture.sampleVenue
        company.vatCategories += [
            .init(id: "U25", description: "Moms 25 % (legacy)", active: true),
            .init(id: "U0", description: "Momsfri (legacy)", active: true),
        ]
        return company
    }

    /// The simulator's request log.
    func log(_ simulator: RunningSimulator) throws -> [RequestLogEntry] {
        struct Log: Decodable { var requests: [RequestLogEntry] }
        let response = simulator.engine.handle(SimulatorRequest(method: "GET", path: "/_simulator/requests"))
        return try JSONDecoder().decode(Log.self, from: response.body).requests
    }

    /// Writes logged after request `after`: every request but lookups, tokens and admin ones.
    func writes(_ simulator: RunningSimulator, after: Int) throws -> [String] {
        try log(simulator)
            .filter {
                $0.sequence > after && $0.method != "GET" && !$0.path.hasPrefix("/_simulator")
                    && !$0.path.hasPrefix("/connect")
            }
            .map { "\($0.method) \($0.path)" }
    }

    @Test func aRootFromBeforeMigrationsUploadsExactlyTheRecordsItHadNotDone() async throws {
        let folder = try TemporaryFolder("legacy-root")
        try await RunningSimulator.with(
            SimulatorConfiguration(fixture: Self.companyTakingLegacyJournals, rateLimit: nil)
        ) { simulator in
            let (root, configuration) = try copyRoot(into: folder, simulator: simulator)
            #expect(try HaltRecord.current(in: root) == nil)
            let batch = try #require(root.batchesInProgress().first)
            let before = try #require(try UploadLedger.Reader.open(root: root)).entries(batch: batch)
            #expect(before.values.filter { $0.state == .done }.count == 7)
            #expect(before.values.filter { $0.state == .sending }.count == 1)
            let headFile = root.state.appendingPathComponent("chain-head.json")
            #expect(try String(contentsOf: headFile, encoding: .utf8).contains("schemaVersion") == false)
            let legacyHead = try #require(try ManifestChain(root: root).head())

            let payloadFolder = root.batchFolder(batch).appendingPathComponent("payloads")
            var records: [PayloadRecord] = []
            for name in try FileManager.default.contentsOfDirectory(atPath: payloadFolder.path).sorted() {
                records += try PayloadRecord.read(payloadFolder.appendingPathComponent(name))
            }
            let outstanding = records.filter { before[$0.sequence]?.state != .done }.map { "\($0.method) \($0.path)" }

            // The Visma company as the interrupted upload left it: the records it confirmed exist.
            let seeding = try VismaTestClient(baseURL: simulator.baseURL)
            try await seeding.authenticate()
            for record in records where before[record.sequence]?.state == .done {
                #expect(
                    try await seeding.send(record.method, record.path, json: record.bodyText, record: false).status
                        / 100 == 2)
            }
            let seeded = try log(simulator).map(\.sequence).max() ?? 0

            let outcome = try await UploadStage(
                root: root, configuration: configuration, secret: ClientSecret(value: ClientSecret.simulatorDemoSecret)
            ).run()
            #expect(outcome.exitStatus == .success, "\(outcome.summary)")
            #expect(outstanding.count == records.count - 7)
            #expect(try writes(simulator, after: seeded).sorted() == outstanding.sorted())
            // The chain went on from the head the old version wrote, and its head file now says its version.
            let head = try #require(try ManifestChain(root: root).head())
            #expect(head != legacyHead)
            #expect(outcome.manifest?.previous == legacyHead.sha256)
            let headObject = try JSONSerialization.jsonObject(with: Data(contentsOf: headFile)) as? [String: Any]
            #expect(headObject?["schemaVersion"] as? Int == ManifestChain.Link.schemaVersion)

            let ledger = try UploadLedger(root: root)
            let after = try ledger.entries(batch: batch)
            #expect(after.count == records.count)
            #expect(after.values.allSatisfy { $0.state == .done })
            #expect(try ledger.appliedMigrations() == ["v1", "v2-release", "v3-numbers-by-key"])
            #expect(try migrations(UploadLedger.file(in: root)) == ["v1", "v2-release", "v3-numbers-by-key"])

            // The validation history is adopted the same way, its rows kept.
            let historyFile = root.state.appendingPathComponent("history.sqlite")
            let itemsBefore = try rows(in: "items", of: historyFile)
            #expect(itemsBefore > 0)
            _ = try ValidationHistory(root: root)
            #expect(try migrations(historyFile) == ["v1"])
            #expect(try rows(in: "items", of: historyFile) == itemsBefore)
        }
    }
}

/// The state databases carry their schema as GRDB migrations and refuse one from a newer version.
@Suite struct StateDatabaseVersionTests {
    func makeRoot() throws -> (TemporaryFolder, PipelineRoot) {
        let folder = try TemporaryFolder("state-database")
        let root = PipelineRoot(folder.url)
        for url in root.folders { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        return (folder, root)
    }

    /// Records a migration this version does not know, as a newer version would.
    func addFutureMigration(to url: URL) throws {
        try DatabaseQueue(path: url.path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
    }

    @Test func aNewLedgerRecordsItsMigrations() throws {
        let (folder, root) = try makeRoot()
        _ = folder
        #expect(try UploadLedger.Reader.open(root: root) == nil)
        #expect(try UploadLedger(root: root).appliedMigrations() == ["v1", "v2-release", "v3-numbers-by-key"])
    }

    @Test func aLedgerFromANewerVersionIsRefusedNamingTheFile() throws {
        let (folder, root) = try makeRoot()
        _ = folder
        _ = try UploadLedger(root: root)
        try addFutureMigration(to: UploadLedger.file(in: root))
        for open in [{ _ = try UploadLedger(root: root) }, { _ = try UploadLedger.Reader.open(root: root) }] {
            let error = try #require(throws: NewerStateFile.self) { try open() }
            #expect(error.exitStatus == .configuration)
            #expect(error.description.contains("state/ledger.sqlite"))
            #expect(error.description.contains("v99-from-the-future"))
        }
    }

    @Test func aHistoryFromANewerVersionIsRefusedNamingTheFile() throws {
        let (folder, root) = try makeRoot()
        _ = folder
        _ = try ValidationHistory(root: root)
        try addFutureMigration(to: root.state.appendingPathComponent("history.sqlite"))
        let error = try #require(throws: NewerStateFile.self) { _ = try ValidationHistory(root: root) }
        #expect(error.exitStatus == .configuration)
        #expect(error.description.contains("state/history.sqlite"))
    }
}

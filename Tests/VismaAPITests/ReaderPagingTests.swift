import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaSimulator

/// `VismaReader` reads whole lists whatever page cap the endpoint has, with or without Visma's metadata.
@Suite struct ReaderPagingTests {
    func withReader(
        _ behaviour: CompanyFixture.Behaviour, _ body: (VismaReader, RunningSimulator) async throws -> Void
    ) async throws {
        var fixture = CompanyFixture.sampleVenue
        fixture.behaviour = behaviour
        try await RunningSimulator.with(SimulatorConfiguration(fixture: fixture, rateLimit: nil)) { simulator in
            try await body(try VismaReader(connection: TokenProviderTests.connection(simulator.baseURL)), simulator)
        }
    }

    /// How many requests the simulator logged for a path (its query aside).
    static func requests(_ simulator: RunningSimulator, _ path: String) -> Int {
        let log = simulator.engine.handle(SimulatorRequest(method: "GET", path: "/_simulator/requests"))
        let requests =
            ((try? JSONSerialization.jsonObject(with: log.body)) as? [String: Any])?["requests"] as? [[String: Any]]
            ?? []
        return requests.filter { $0["path"] as? String == path }.count
    }

    @Test func aListLongerThanTheCapIsReadWholeAskingTheCapVismaReports() async throws {
        var behaviour = CompanyFixture.Behaviour()
        behaviour.maxPageSize = ["supplier": 3, "kitspecifications": 2]
        try await withReader(behaviour) { reader, simulator in
            let suppliers = try await reader.getAllPages("/v1/supplier", pageSize: 1000, as: SupplierDto.self)
            #expect(suppliers.compactMap(\.number) == (1...7).map { "5000\($0)" })
            #expect(Self.requests(simulator, "/v1/supplier") == 3)
        }
    }

    @Test func withoutMetadataOnlyAShorterOrEmptyPageEndsTheList() async throws {
        var behaviour = CompanyFixture.Behaviour()
        behaviour.maxPageSize = ["supplier": 3]
        behaviour.pageMetadataOmitted = ["supplier"]
        try await withReader(behaviour) { reader, _ in
            let suppliers = try await reader.getAllPages("/v1/supplier", pageSize: 1000, as: SupplierDto.self)
            #expect(suppliers.count == 7)
        }
        var uncapped = CompanyFixture.Behaviour()
        uncapped.pageMetadataOmitted = ["supplier"]
        try await withReader(uncapped) { reader, simulator in
            let suppliers = try await reader.getAllPages("/v1/supplier", pageSize: 1000, as: SupplierDto.self)
            #expect(suppliers.count == 7)
            // The first short page cannot prove the end (a cap may be in force unreported): an empty second page does.
            #expect(Self.requests(simulator, "/v1/supplier") == 2)
        }
    }

    @Test func collectPagesStopsAtTheTotalAndAsksTheCapAfterTheFirstPage() async throws {
        var asked: [Int] = []
        let all = try await VismaReader.collectPages(pageSize: 10) { page, size -> VismaReader.Page<Int> in
            asked.append(size)
            let start = (page - 1) * min(size, 4)
            let elements = Array(start..<min(9, start + min(size, 4)))
            return VismaReader.Page(elements: elements, totalCount: 9, maxPageSize: 4)
        }
        #expect(all == Array(0..<9))
        #expect(asked == [10, 4, 4])
    }
}

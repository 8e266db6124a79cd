import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaSimulator

/// The one token fetch of the codebase, against the simulator's Visma Connect endpoint.
@Suite struct TokenProviderTests {
    static func connection(
        _ baseURL: String, secret: String = ClientSecret.simulatorDemoSecret, tokenURL: String? = nil
    ) -> VismaConnection {
        var configuration = PipelineConfiguration.sampleVenue(vismaBaseURL: baseURL, sourcePath: "x")
        if let tokenURL { configuration.visma.tokenURL = tokenURL }
        return VismaConnection(configuration: configuration, secret: ClientSecret(value: secret))
    }

    static func tokenRequests(_ simulator: RunningSimulator) -> Int {
        let log = simulator.engine.handle(SimulatorRequest(method: "GET", path: "/_simulator/requests"))
        return String(decoding: log.body, as: UTF8.self).components(separatedBy: "/connect/token").count - 1
    }

    @Test func concurrentCallersShareOneFetch() async throws {
        try await RunningSimulator.with { simulator in
            let provider = try TokenProvider(connection: Self.connection(simulator.baseURL))
            let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await provider.token() } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(tokens.count == 8)
            #expect(Set(tokens).count == 1)
            #expect(await provider.fetches == 1)
            #expect(Self.tokenRequests(simulator) == 1)
            // Kept: asking again sends nothing.
            #expect(try await provider.token() == tokens[0])
            #expect(Self.tokenRequests(simulator) == 1)
        }
    }

    @Test func anInvalidatedTokenIsFetchedAgain() async throws {
        try await RunningSimulator.with { simulator in
            let provider = try TokenProvider(connection: Self.connection(simulator.baseURL))
            let first = try await provider.token()
            await provider.invalidate(first)
            let second = try await provider.token()
            #expect(second != first)
            #expect(await provider.fetches == 2)
        }
    }

    @Test func aRefusedSecretIsAConfigurationErrorExit78() async throws {
        try await RunningSimulator.with { simulator in
            let provider = try TokenProvider(connection: Self.connection(simulator.baseURL, secret: "not-the-secret"))
            let error = await #expect(throws: VismaClientError.self) { try await provider.token() }
            #expect(error?.exitStatus == .configuration)
            #expect(error?.exitStatus.rawValue == 78)
            #expect(error?.message.contains("refused the client credentials (invalid_client)") == true)
            #expect(await provider.fetches == 0)
        }
    }

    @Test func anUnreachableTokenURLIsATemporaryFailureExit75() async throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let provider = try TokenProvider(
            connection: Self.connection("http://127.0.0.1:1", tokenURL: "http://127.0.0.1:1/connect/token"))
        let error = await #expect(throws: VismaClientError.self) { try await provider.token() }
        #expect(error?.exitStatus == .temporaryFailure)
        #expect(error?.exitStatus.rawValue == 75)
        #expect(error?.message.contains("cannot reach Visma Connect") == true)
    }
}

/// Reads decode into DTOs and page until the list is complete.
@Suite struct VismaReaderTests {
    @Test func aPagedListIsReadToTheEndAndDecoded() async throws {
        try await RunningSimulator.with { simulator in
            let reader = try VismaReader(connection: TokenProviderTests.connection(simulator.baseURL))
            let all = try await reader.getAllPages("/v1/supplier", pageSize: 1000, as: SupplierDto.self)
            let paged = try await reader.getAllPages("/v1/supplier", pageSize: 2, as: SupplierDto.self)
            #expect(!all.isEmpty)
            #expect(paged.map(\.number) == all.map(\.number))
            #expect(await reader.tokens.fetches == 1)
        }
    }

    @Test func aRefusalCarriesVismasMessage() async throws {
        try await RunningSimulator.with { simulator in
            let reader = try VismaReader(connection: TokenProviderTests.connection(simulator.baseURL))
            let error = await #expect(throws: VismaClientError.self) {
                try await reader.get("/v1/nonsense", as: [ItemClassDto].self)
            }
            #expect(error?.exitStatus == .dataRejected)
            #expect(
                error?.message.hasPrefix("Visma answered GET /v1/nonsense with HTTP 404: No HTTP resource was found")
                    == true)
        }
    }
}

import Foundation
import TestSupport
import Testing
import VismaSimulator

@Suite struct AuthenticationTests {
    @Test func clientCredentialsGiveATokenThatOpensTheAPI() async throws {
        try await RunningSimulator.with { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            let unauthorised = try await client.get("/v1/inventory/itemClass")
            #expect(unauthorised.status == 401)
            let token = try await client.authenticate()
            #expect(token.status == 200)
            #expect(token.jsonObject["expires_in"] as? Int == 3600)
            #expect(token.jsonObject["token_type"] as? String == "Bearer")
            #expect(try await client.get("/v1/inventory/itemClass").status == 200)
        }
    }

    @Test func wrongSecretOrTenantIsRefusedAsVismaConnectDoes() async throws {
        try await RunningSimulator.with { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            let badSecret = try await client.authenticate(secret: "wrong")
            #expect(badSecret.status == 400)
            #expect(badSecret.jsonObject["error"] as? String == "invalid_client")
            let badTenant = try await client.authenticate(tenant: "00000000-0000-0000-0000-000000000000")
            #expect(badTenant.status == 400)
            #expect(badTenant.jsonObject["error"] as? String == "invalid_tenant")
            #expect(client.token == nil)
        }
    }

    @Test func anExpiredTokenIsRefused() async throws {
        var fixture = CompanyFixture.sampleVenue
        fixture.credentials.tokenLifetimeSeconds = 0
        try await RunningSimulator.with(SimulatorConfiguration(fixture: fixture)) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            let token = try await client.authenticate()
            #expect(token.status == 200)
            #expect(try await client.get("/v1/branch").status == 401)
        }
    }
}

import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaAPI
import VismaSimulator

/// The simulator's attachments over HTTP: multipart posts, revisions per name, the size limit, the journal's list, the bytes back.
@Suite struct AttachmentTests {
    /// Posts one file as `multipart/form-data` through libcurl's MIME API, as the uploader does.
    static func attach(
        _ simulator: RunningSimulator, token: String, journal: String, name: String, data: Data, module: String = "GL"
    ) async throws -> HTTPResponse {
        let session = try CurlSession(timeoutMilliseconds: 60_000)
        return try await session.send(
            HTTPRequest(
                method: "POST",
                url: simulator.baseURL + "/v2/journaltransaction/module/\(module)/\(journal)/attachment",
                headers: [("Authorization", "Bearer \(token)")],
                form: [FormPart(name: "file", fileName: name, contentType: "application/pdf", data: data)]))
    }

    @Test func postingTheSameNameAgainMakesARevisionAndTheIdAnswersTheLatestBytes() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            let token = try #require(client.token)
            #expect(try await client.post("/v2/journaltransaction", Payloads.journal("POS20261128-1")).status == 201)
            #expect(try await client.attachments(onJournal: "POS20261128-1").isEmpty)

            let first = Data("%PDF-1.5 første udgave æøå".utf8)
            #expect(
                try await Self.attach(simulator, token: token, journal: "POS20261128-1", name: "bilag.pdf", data: first)
                    .status == 201)
            var listed = try await client.attachments(onJournal: "POS20261128-1")
            #expect(listed.count == 1)
            #expect(listed.first?["name"] as? String == "bilag.pdf")
            #expect(listed.first?["revision"] as? Int == 1)
            let id = try #require(listed.first?["id"] as? String)
            #expect(try await client.get("/v1/attachment/\(id)").body == first)

            let second = Data("%PDF-1.5 anden udgave".utf8)
            #expect(
                try await Self.attach(
                    simulator, token: token, journal: "POS20261128-1", name: "bilag.pdf", data: second
                ).status == 201)
            listed = try await client.attachments(onJournal: "POS20261128-1")
            #expect(listed.count == 1)
            #expect(listed.first?["revision"] as? Int == 2)
            #expect(listed.first?["id"] as? String == id)
            #expect(try await client.get("/v1/attachment/\(id)").body == second)
        }
    }

    @Test func aFileOverTwentyFiveMegabytesAnUnlistedTypeAndAnUnknownJournalAreRefused() async throws {
        try await RunningSimulator.with(SimulatorConfiguration(rateLimit: nil)) { simulator in
            let client = try VismaTestClient(baseURL: simulator.baseURL)
            try await client.authenticate()
            let token = try #require(client.token)
            #expect(try await client.post("/v2/journaltransaction", Payloads.journal("POS20261128-1")).status == 201)
            let large = Data(count: 25 * 1024 * 1024 + 1)
            let tooLarge = try await Self.attach(
                simulator, token: token, journal: "POS20261128-1", name: "bilag.pdf", data: large)
            #expect(tooLarge.status == 400)
            #expect(tooLarge.message.contains("25 MB"), "\(tooLarge.message)")
            let exactly = try await Self.attach(
                simulator, token: token, journal: "POS20261128-1", name: "stor.pdf", data: Data(count: 25 * 1024 * 1024)
            )
            #expect(exactly.status == 201)
            #expect(
                try await Self.attach(
                    simulator, token: token, journal: "POS20261128-1", name: "x.exe", data: Data("MZ".utf8)
                ).status == 400)
            #expect(
                try await Self.attach(
                    simulator, token: token, journal: "NOPE", name: "bilag.pdf", data: Data("%PDF".utf8)
                ).status == 404)
            #expect(try await client.get("/v1/attachment/00000000-0000-0000-0000-000000000000").status == 404)
            let listed = try await client.attachments(onJournal: "POS20261128-1")
            #expect(listed.map { $0["name"] as? String } == ["stor.pdf"])
        }
    }
}

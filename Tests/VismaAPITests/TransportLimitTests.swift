import FlexyVismaCore
import Foundation
import Glibc
import TestSupport
import Testing
import VismaAPI

/// Issue 13 §6: libcurl speaks HTTP(S) only and never holds more than the cap of a lying server's answer.
@Suite struct TransportLimitTests {
    @Test func schemesOtherThanHTTPAreNeverFetched() throws {
        let session = try CurlSession()
        for url in ["file:///etc/hostname", "ftp://127.0.0.1:9/x", "dict://127.0.0.1:9/x", "gopher://127.0.0.1:9/x"] {
            let error = #expect(throws: HTTPTransportError.self) {
                try session.perform(HTTPRequest(method: "GET", url: url))
            }
            #expect(error?.message.lowercased().contains("protocol") == true, "\(url): \(String(describing: error))")
        }
    }

    /// A plain file server on loopback stands in for a server that answers with far too much.
    @Test func anAnswerBeyondTheCapAbortsTheTransferWithAClearError() async throws {
        let folder = try TemporaryFolder("flexyvisma-huge-answer")
        _ = FileManager.default.createFile(atPath: folder.path("huge.json").path, contents: nil)
        #expect(truncate(folder.path("huge.json").path, 40 * 1024 * 1024) == 0)
        try Data("{}".utf8).write(to: folder.path("small.json"))
        // Waiting and transferring block: off the cooperative pool that in-process simulators need.
        let outcome = try await offCooperativePool {
            () throws -> (small: HTTPResponse, huge: Result<HTTPResponse, any Error>)? in
            let server = try ChildProcess.start(
                URL(fileURLWithPath: "/usr/bin/env"),
                ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", folder.url.path])
            defer { server.kill() }
            guard let banner = server.firstLineOfOutput(),
                let port = banner.split(separator: " ").first(where: { Int($0) != nil })
            else { return nil }
            let small = try CurlSession().perform(
                HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/small.json"))
            return (
                small,
                Result {
                    try CurlSession().perform(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/huge.json"))
                }
            )
        }
        let (small, huge) = try #require(outcome, "python3 http.server did not start")
        #expect(small.status == 200 && small.body == Data("{}".utf8))
        guard case .failure(let error as HTTPTransportError) = huge else {
            Issue.record("a 40 MiB answer was taken whole: \(huge)")
            return
        }
        #expect(error.message.contains("larger than 32 MiB"), "\(error)")
    }
}

import FlexyVismaCore
import Foundation
import TestSupport
import Testing
import VismaAPI

/// Issue 13 §6: libcurl speaks HTTP(S) only and never holds more than the cap of a lying server's answer.
@Suite struct TransportLimitTests {
    @Test func schemesOtherThanHTTPAreNeverFetched() throws {
        let session = try CurlSession()
        for url in ["file:///etc/hostname", "ftp://127.0.0.1:9/x", "dict://127.0.0.1:9/x", "gopher://127.0.0.1:9/x"] {
            let error = #expect(throws: HTTPTransportError.self) { try session.perform(HTTPRequest(method: "GET", url: url)) }
            #expect(error?.message.lowercased().contains("protocol") == true, "\(url): \(String(describing: error))")
        }
    }

    /// A plain file server on loopback stands in for a server that answers with far too much.
    @Test func anAnswerBeyondTheCapAbortsTheTransferWithAClearError() throws {
        let folder = try TemporaryFolder("flexyvisma-huge-answer")
        let huge = FileHandle(forWritingAtPath: { () -> String in
            _ = FileManager.default.createFile(atPath: folder.path("huge.json").path, contents: nil)
            return folder.path("huge.json").path
        }())
        try huge?.truncate(atOffset: 40 * 1024 * 1024)
        try huge?.close()
        try Data("{}".utf8).write(to: folder.path("small.json"))
        let server = try ChildProcess.start(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", folder.url.path])
        defer { server.kill() }
        let banner = try #require(server.firstLineOfOutput(), "python3 http.server did not start")
        let port = try #require(banner.split(separator: " ").first { Int($0) != nil }.map(String.init), "\(banner)")
        let session = try CurlSession()
        let small = try session.perform(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/small.json"))
        #expect(small.status == 200 && small.body == Data("{}".utf8))
        let error = #expect(throws: HTTPTransportError.self) {
            try session.perform(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/huge.json"))
        }
        #expect(error?.message.contains("larger than 32 MiB") == true, "\(String(describing: error))")
    }
}

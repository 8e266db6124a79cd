import Foundation
import Glibc
import TestSupport
import Testing

@testable import FlexyVismaCore

/// Issue 13 §6: one rule for Visma URLs, and a secret file nobody else can read.
@Suite struct TransportAndSecretTests {
    @Test func plainHTTPIsAllowedOnlyToLoopback() {
        for accepted in [
            "https://integration.visma.net/API", "http://127.0.0.1:18080", "http://127.8.9.10/x",
            "http://localhost:9/API",
            "http://LOCALHOST", "http://[::1]:8080/API",
        ] {
            #expect(VismaEndpointRule.problem(accepted) == nil, "\(accepted)")
        }
        for refused in [
            "http://integration.visma.net/API", "http://10.0.0.1/API", "http://128.0.0.1/", "http://[::2]/",
            "http://localhost.evil.example/",
            "http://127.0.0.1.evil.example/", "ftp://127.0.0.1/", "file:///etc/passwd", "127.0.0.1/token",
        ] {
            #expect(VismaEndpointRule.problem(refused) != nil, "\(refused)")
        }
        #expect(VismaEndpointRule.problem("http://visma.example.com/API")?.contains("use https://") == true)
    }

    @Test func configurationWithPlainHTTPToAnotherHostIsRefusedWithTheFix() throws {
        let folder = try TemporaryFolder()
        let root = PipelineRoot(folder.url)
        var text = try #require(
            String(data: try PipelineConfiguration.sampleVenue(sourcePath: "x").encoded(), encoding: .utf8))
        text = text.replacingOccurrences(
            of: "http://127.0.0.1:18080/connect/token", with: "http://connect.visma.example/connect/token")
        try Data(text.utf8).write(to: root.configFile)
        let error = #expect(throws: OperatorMessage.self) { try PipelineConfiguration.load(from: root) }
        #expect(error?.exitStatus == .configuration)
        #expect(
            error?.message.contains("visma.tokenURL: 'http://connect.visma.example/connect/token' is plain HTTP")
                == true, "\(String(describing: error))")
        #expect(error?.message.contains("use https://") == true)
    }

    @Test func secretFilePermissionsFollowOneRule() {
        let me = geteuid() == 0 ? uid_t(1000) : geteuid()
        let groups: Set<gid_t> = [100]
        func problem(_ mode: mode_t, owner: uid_t, group: gid_t = 100) -> String? {
            SecretFile.permissionProblem(path: "/s", mode: mode, owner: owner, group: group, user: me, groups: groups)
        }
        #expect(problem(0o600, owner: me) == nil)
        #expect(problem(0o400, owner: me) == nil)
        #expect(problem(0o640, owner: me)?.contains("chmod 600 /s") == true)
        #expect(problem(0o604, owner: me)?.contains("chmod 600 /s") == true)
        #expect(problem(0o600, owner: me + 1)?.contains("another user") == true)
        // Container secrets: root's, read-only, at most readable by a group this process is in.
        #expect(problem(0o400, owner: 0) == nil)
        #expect(problem(0o440, owner: 0, group: 100) == nil)
        #expect(problem(0o440, owner: 0, group: 200) != nil)
        #expect(problem(0o444, owner: 0) != nil)
        #expect(problem(0o640, owner: 0) != nil)
        #expect(problem(0o460, owner: 0) != nil)
    }

    @Test func secretIsReadThroughALinkButChecksTheFileItReaches() throws {
        let folder = try TemporaryFolder()
        let root = PipelineRoot(folder.url)
        let configuration = PipelineConfiguration.sampleVenue(sourcePath: "x")
        let file = root.resolve(configuration.visma.clientSecretFile)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let target = folder.url.appendingPathComponent("mounted-secret")
        try DurableFiles.write(Data("s3cret\n".utf8), to: target, permissions: 0o600)
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: target)
        #expect(try ClientSecret.load(for: configuration, root: root, environment: [:]).value == "s3cret")
        chmod(target.path, 0o644)
        let error = #expect(throws: OperatorMessage.self) {
            try ClientSecret.load(for: configuration, root: root, environment: [:])
        }
        #expect(error?.exitStatus == .configuration)
        #expect(error?.message.contains("chmod 600") == true, "\(String(describing: error))")
    }

    @Test func terminalTextMakesControlCharactersVisible() {
        #expect(TerminalText.escaped("a\u{1B}[31mred\u{07}\r\n") == "a\\u{1B}[31mred\\u{7}\n")
        #expect(TerminalText.escaped("tab\tkept, æøå kept") == "tab\tkept, æøå kept")
    }
}

import FlexyVismaCore
import Foundation
import TestSupport
import Testing

@Suite struct ConfigurationTests {
    func root() throws -> (TemporaryFolder, PipelineRoot) {
        let folder = try TemporaryFolder()
        return (folder, PipelineRoot(folder.url))
    }

    @Test func sampleConfigurationRoundTripsThroughItsFile() throws {
        let (folder, root) = try root()
        _ = folder
        let configuration = PipelineConfiguration.sampleVenue(sourcePath: "source/flexybox.sqlite")
        try configuration.encoded().write(to: root.configFile)
        #expect(try PipelineConfiguration.load(from: root) == configuration)
        #expect(try configuration.hash() == (try configuration.hash()))
        #expect(configuration.departments.values.contains { !$0.enabled })
    }

    @Test func missingConfigurationIsAConfigurationErrorThatSaysWhatToDo() throws {
        let (folder, root) = try root()
        _ = folder
        let error = #expect(throws: OperatorMessage.self) { try PipelineConfiguration.load(from: root) }
        #expect(error?.exitStatus == .configuration)
        #expect(error?.message.contains("flexyvisma init") == true)
    }

    @Test func brokenConfigurationNamesTheFileAndTheKey() throws {
        let (folder, root) = try root()
        _ = folder
        var object = try JSONSerialization.jsonObject(
            with: PipelineConfiguration.sampleVenue(sourcePath: "x").encoded()) as? [String: Any] ?? [:]
        var visma = object["visma"] as? [String: Any] ?? [:]
        visma.removeValue(forKey: "tenantId")
        object["visma"] = visma
        try JSONSerialization.data(withJSONObject: object).write(to: root.configFile)
        let error = #expect(throws: OperatorMessage.self) { try PipelineConfiguration.load(from: root) }
        #expect(error?.exitStatus == .configuration)
        #expect(error?.message.contains(root.configFile.path) == true)
        #expect(error?.message.contains("visma.tenantId") == true)

        try Data("{ not json".utf8).write(to: root.configFile)
        #expect(throws: OperatorMessage.self) { try PipelineConfiguration.load(from: root) }
    }

    @Test func clientSecretComesFromTheEnvironmentFirst() throws {
        let (folder, root) = try root()
        _ = folder
        let configuration = PipelineConfiguration.sampleVenue(sourcePath: "x")
        let secret = try ClientSecret.load(for: configuration, root: root, environment: ["FLEXYVISMA_CLIENT_SECRET": "s3cr3t"])
        #expect(secret.value == "s3cr3t")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
    }

    @Test func clientSecretFileReadableByOthersIsRefused() throws {
        let (folder, root) = try root()
        _ = folder
        let configuration = PipelineConfiguration.sampleVenue(sourcePath: "x")
        let file = root.resolve(configuration.visma.clientSecretFile)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try DurableFiles.write(Data("hunter2\n".utf8), to: file, permissions: 0o644)
        let error = #expect(throws: OperatorMessage.self) {
            try ClientSecret.load(for: configuration, root: root, environment: [:])
        }
        #expect(error?.exitStatus == .configuration)
        #expect(error?.message.contains("chmod 600") == true)
        #expect(error?.message.contains("hunter2") == false)

        try DurableFiles.write(Data("hunter2\n".utf8), to: file, permissions: 0o600)
        #expect(try ClientSecret.load(for: configuration, root: root, environment: [:]).value == "hunter2")
    }
}

import FlexyVismaCore
import Foundation

/// `flexyvisma init`: a new pipeline root with a working configuration for the sample venue and
/// the local simulator.
public struct RootInitializer {
    public var root: PipelineRoot
    public var vismaURL: String
    public var sourcePath: String

    public init(root: PipelineRoot, vismaURL: String = PipelineConfiguration.simulatorDefaultURL, sourcePath: String = "source/flexybox.sqlite") {
        self.root = root
        self.vismaURL = vismaURL
        self.sourcePath = sourcePath
    }

    /// Creates folders, config and demo secret; refuses (exit 64) when a config is already there.
    public func run() throws -> [String] {
        guard !FileManager.default.fileExists(atPath: root.configFile.path) else {
            throw OperatorMessage(
                .usage, "\(root.configFile.path) already exists; init never overwrites a configuration (edit it, or choose another folder)")
        }
        if let problem = VismaEndpointRule.problem(vismaURL) {
            throw OperatorMessage(.configuration, "--visma-url \(problem)")
        }
        var created: [String] = []
        try FileManager.default.createDirectory(at: root.url, withIntermediateDirectories: true)
        for folder in root.folders {
            if !FileManager.default.fileExists(atPath: folder.path) {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                created.append(folder.lastPathComponent + "/")
            }
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root.secrets.path)
        let sourceFolder = root.resolve(sourcePath).deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: sourceFolder.path) {
            try FileManager.default.createDirectory(at: sourceFolder, withIntermediateDirectories: true)
        }

        let configuration = PipelineConfiguration.sampleVenue(vismaBaseURL: vismaURL, sourcePath: sourcePath)
        let secretFile = root.resolve(configuration.visma.clientSecretFile)
        if !FileManager.default.fileExists(atPath: secretFile.path) {
            try DurableFiles.write(Data((ClientSecret.simulatorDemoSecret + "\n").utf8), to: secretFile, permissions: 0o600)
            created.append(configuration.visma.clientSecretFile)
        }
        try DurableFiles.writeAtomically(try configuration.encoded(), to: root.configFile)
        created.append(PipelineRoot.configFileName)
        return created
    }
}

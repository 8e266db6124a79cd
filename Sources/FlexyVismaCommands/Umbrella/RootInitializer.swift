import FlexyVismaCore
import Foundation

/// `flexyvisma init`: a new pipeline root with a working configuration for the sample venue and
/// the local simulator.
public struct RootInitializer {
    public var root: PipelineRoot
    public var vismaURL: String
    public var sourcePath: String

    public init(
        root: PipelineRoot, vismaURL: String = PipelineConfiguration.simulatorDefaultURL,
        sourcePath: String = "source/flexybox.sqlite"
    ) {
        self.root = root
        self.vismaURL = vismaURL
        self.sourcePath = sourcePath
    }

    /// Creates folders, config and demo secret; refuses (exit 64) when a config is already there.
    public func run() throws -> [String] {
        guard !FileManager.default.fileExists(atPath: root.configFile.path) else {
            throw OperatorMessage(
                .usage,
                "\(root.configFile.path) already exists; init never overwrites a configuration (edit it, or choose another folder)"
            )
        }
        if let problem = VismaEndpointRule.problem(vismaURL) {
            throw OperatorMessage(.configuration, "--visma-url \(problem)")
        }
        FileModes.applyProcessUmask()
        var created: [String] = []
        try DurableFiles.makeFolders(root.url, mode: FileModes.sharedFolder)
        for folder in root.folders {
            if !FileManager.default.fileExists(atPath: folder.path) {
                try DurableFiles.makeFolder(folder, mode: FileModes.mode(of: folder, in: root))
                created.append(folder.lastPathComponent + "/")
            }
        }
        // Owner-only whatever was there before: the client secret lives here.
        try DurableFiles.setFolderMode(root.secrets, FileModes.privateFolder)
        let sourceFolder = root.resolve(sourcePath).deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: sourceFolder.path) {
            try FileManager.default.createDirectory(at: sourceFolder, withIntermediateDirectories: true)
        }

        let configuration = PipelineConfiguration.sampleVenue(vismaBaseURL: vismaURL, sourcePath: sourcePath)
        let secretFile = root.resolve(configuration.visma.clientSecretFile)
        if !FileManager.default.fileExists(atPath: secretFile.path) {
            try DurableFiles.write(
                Data((ClientSecret.simulatorDemoSecret + "\n").utf8), to: secretFile, permissions: FileModes.privateFile
            )
            created.append(configuration.visma.clientSecretFile)
        }
        try DurableFiles.writeAtomically(
            try configuration.encoded(), to: root.configFile, permissions: FileModes.sharedFile)
        created.append(PipelineRoot.configFileName)
        return created
    }
}

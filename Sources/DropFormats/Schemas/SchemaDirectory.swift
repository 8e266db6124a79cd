import FlexyVismaCore
import Foundation

/// The `Schemas/` folder the stages load their contracts from.
///
/// Looked up in order: `$FLEXYVISMA_SCHEMAS`; `share/flexyvisma/Schemas` beside an installed
/// binary (`<prefix>/bin/..`); a `Schemas/` folder in any parent of the executable's folder (the
/// repository when run from `.build/`); the same from the current directory.
public struct SchemaDirectory: Sendable, Equatable {
    public static let environmentVariable = "FLEXYVISMA_SCHEMAS"
    public let url: URL

    public init(url: URL) { self.url = url }

    public func url(for type: DropFileType) -> URL { url.appendingPathComponent(type.schemaFileName) }
    public var manifestSchema: URL { url.appendingPathComponent("manifest.schema.json") }
    public var sourceSchema: URL { url.appendingPathComponent("flexybox-source.sql") }

    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: URL = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath(),
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) throws -> SchemaDirectory {
        if let configured = environment[environmentVariable], !configured.isEmpty {
            let candidate = URL(fileURLWithPath: configured, isDirectory: true)
            guard isSchemaFolder(candidate) else {
                throw OperatorMessage(
                    .configuration, "\(environmentVariable)=\(configured) does not hold the FlexyVisma schemas")
            }
            return SchemaDirectory(url: candidate)
        }
        let binFolder = executable.deletingLastPathComponent()
        let installed = binFolder.deletingLastPathComponent()
            .appendingPathComponent("share/flexyvisma/Schemas", isDirectory: true)
        if isSchemaFolder(installed) { return SchemaDirectory(url: installed) }
        for start in [binFolder, currentDirectory] {
            var folder = start
            while folder.path != "/" {
                let candidate = folder.appendingPathComponent("Schemas", isDirectory: true)
                if isSchemaFolder(candidate) { return SchemaDirectory(url: candidate) }
                folder = folder.deletingLastPathComponent()
            }
        }
        throw OperatorMessage(
            .configuration,
            "cannot find the FlexyVisma Schemas folder; set \(environmentVariable) to its path")
    }

    private static func isSchemaFolder(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent("manifest.schema.json").path)
    }
}

import FlexyVismaCore
import Foundation

/// The `Schemas/` folder the stages load their contracts from.
///
/// Looked up in order: `$FLEXYVISMA_SCHEMAS`; `share/flexyvisma/Schemas` beside an installed
/// binary (`<prefix>/bin/..`); for a binary SwiftPM built (`<package>/.build/…/flexyvisma`), the
/// package's `Schemas/`. Never from the current directory or its parents: whoever can write a
/// folder above the working directory could otherwise swap the contracts.
public struct SchemaDirectory: Sendable, Equatable {
    public static let environmentVariable = "FLEXYVISMA_SCHEMAS"
    public let url: URL

    public init(url: URL) { self.url = url }

    public func url(for type: DropFileType) -> URL { url.appendingPathComponent(type.schemaFileName) }
    public var manifestSchema: URL { url.appendingPathComponent("manifest.schema.json") }
    public var sourceSchema: URL { url.appendingPathComponent("flexybox-source.sql") }

    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: URL = ExecutablePath.current
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
        if let package = packageFolder(of: binFolder) {
            let built = package.appendingPathComponent("Schemas", isDirectory: true)
            if isSchemaFolder(built) { return SchemaDirectory(url: built) }
        }
        throw OperatorMessage(
            .configuration,
            "cannot find the FlexyVisma Schemas folder; set \(environmentVariable) to its path")
    }

    /// The folder that holds the `.build` folder the binary is in, if it is in one.
    static func packageFolder(of binFolder: URL) -> URL? {
        let components = binFolder.standardizedFileURL.pathComponents
        guard let build = components.lastIndex(of: ".build"), build > 0 else { return nil }
        return URL(fileURLWithPath: NSString.path(withComponents: Array(components[..<build])), isDirectory: true)
    }

    private static func isSchemaFolder(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent("manifest.schema.json").path)
    }
}

/// Where this process's executable is: `/proc/self/exe`, not `argv[0]`, which the caller chooses.
public enum ExecutablePath {
    public static var current: URL {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: resolved)
        }
        return URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
    }
}

import Foundation

/// The Visma client secret: from `FLEXYVISMA_CLIENT_SECRET`, or from a file only its owner can read.
///
/// The value is never printed: `description` is redacted so that string interpolation into a log
/// line or an error cannot leak it.
public struct ClientSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public static let environmentVariable = "FLEXYVISMA_CLIENT_SECRET"
    /// What `init` writes for the built-in simulator company.
    public static let simulatorDemoSecret = "flexyvisma-demo-secret"

    public let value: String

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }

    public init(value: String) { self.value = value }

    /// Loads the secret; a missing, empty or group/world-readable file is a configuration error.
    public static func load(
        for configuration: PipelineConfiguration, root: PipelineRoot,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ClientSecret {
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return ClientSecret(value: fromEnvironment)
        }
        let url = root.resolve(configuration.visma.clientSecretFile)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
            throw OperatorMessage(
                .configuration,
                "no client secret: set \(environmentVariable) or create \(url.path) (mode 0600)")
        }
        let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard permissions & 0o077 == 0 else {
            throw OperatorMessage(
                .configuration,
                "\(url.path) can be read by other users (mode \(String(permissions, radix: 8))); run `chmod 600 \(url.path)`")
        }
        let text = (try? String(contentsOf: url, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !text.isEmpty else {
            throw OperatorMessage(.configuration, "\(url.path) is empty or unreadable; it must hold the client secret")
        }
        return ClientSecret(value: text)
    }
}

import FlexyVismaCore

/// Where and as whom to reach the Visma API.
public struct VismaConnection: Sendable {
    public var baseURL: String
    public var tokenURL: String
    public var tenantId: String
    public var clientId: String
    public var scope: String
    public var secret: ClientSecret

    public init(configuration: PipelineConfiguration, secret: ClientSecret) {
        baseURL = configuration.visma.baseURL
        tokenURL = configuration.visma.tokenURL
        tenantId = configuration.visma.tenantId
        clientId = configuration.visma.clientId
        scope = configuration.visma.scope
        self.secret = secret
    }
}

/// Visma could not be used: unreachable, refusing the credentials, or answering in a way we cannot read.
public struct VismaClientError: PipelineFailure {
    public var exitStatus: ExitStatus
    public var message: String
    /// Visma Connect's OAuth2 error code when it refused a token (`invalid_client`, `invalid_tenant`, `invalid_scope`, …).
    public var connectError: String?
    public var description: String { message }

    public init(exitStatus: ExitStatus, message: String, connectError: String? = nil) {
        self.exitStatus = exitStatus
        self.message = message
        self.connectError = connectError
    }
}

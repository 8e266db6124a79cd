import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The request context: Hummingbird's, plus the channel so a fault can drop the connection.
public struct SimulatorRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

public enum SimulatorLogging {
    /// Hummingbird's own log, critical only: an injected dropped connection is logged by it as an error.
    public static var quiet: Logger {
        var logger = Logger(label: "visma-simulator")
        logger.logLevel = .critical
        return logger
    }
}

/// Bodies larger than this are refused (Visma's gateway refuses large bodies too); room for a 25 MB attachment's form.
let maximumBodyBytes = 32 << 20

/// Builds the simulator's HTTP application on 127.0.0.1 (port 0: any free port).
///
/// `onRunning` receives the bound port once the server listens.
public func buildSimulatorApplication(
    engine: SimulatorEngine, port: Int, logger: Logger = SimulatorLogging.quiet,
    onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let responder = CallbackResponder<SimulatorRequestContext> { request, context in
        var request = request
        let body = try await request.collectBody(upTo: maximumBodyBytes)
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            query[key.percentDecoded] = value.percentDecoded
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let answer = engine.handle(
            SimulatorRequest(
                method: request.method.rawValue, path: request.uri.path, query: query, headers: headers,
                body: Data(buffer: body)))
        if answer.delayMilliseconds > 0 {
            try await Task.sleep(for: .milliseconds(answer.delayMilliseconds))
        }
        if answer.disposition == .dropConnection {
            try await context.channel.close()
            throw CancellationError()
        }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(data: answer.body)))
    }
    return Application(
        responder: responder,
        configuration: ApplicationConfiguration(
            address: .hostname("127.0.0.1", port: port), serverName: "visma-simulator"),
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
        logger: logger)
}

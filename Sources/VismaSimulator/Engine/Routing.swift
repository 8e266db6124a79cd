import FlexyVismaCore
import Foundation

/// A request as the engine sees it, independent of the HTTP server.
public struct SimulatorRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: Data

    public init(
        method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
        body: Data = Data()
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.body = body
    }

    /// Path segments, percent-decoded (ids like `b64(…)` or with spaces arrive encoded).
    var segments: [String] {
        path.split(separator: "/").map(\.percentDecoded)
    }
}

/// The engine's answer; `disposition` tells the server to close the connection instead of answering.
public struct SimulatorResponse: Sendable {
    public enum Disposition: Sendable, Equatable {
        case respond
        /// Close the connection without a complete answer (a dropped connection, or a lost response).
        case dropConnection
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: Data
    public var disposition: Disposition = .respond
    /// Pause before answering (delay fault).
    public var delayMilliseconds: Int = 0

    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> SimulatorResponse {
        SimulatorResponse(
            status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
            body: value.encoded())
    }

    static func error(_ error: VismaError, ipp: Bool = false) -> SimulatorResponse {
        json(error.status, ipp ? error.ippBody : error.body)
    }

    /// 201 with the new record's URL in `Location`, as Visma answers a POST.
    static func created(location: String) -> SimulatorResponse {
        json(201, [:], headers: [("Location", location)])
    }

    static let noContent = SimulatorResponse(status: 204)
}

/// One resource handler's result before headers are added.
enum Outcome {
    case ok(JSONValue)
    case created(String)
    case noContent

    /// Whether the request changed the company.
    var mutated: Bool {
        switch self {
        case .ok: false
        case .created, .noContent: true
        }
    }
}

/// Paging as Visma does it: `pageNumber` (1-based) and `pageSize`, limited to the endpoint's cap
/// ("If requested page size is greater than allowed max page size, request will be limited to max page size", OAS).
struct Paging {
    /// The cap of an endpoint the company's `behaviour.maxPageSize` does not list.
    static let maxPageSize = 5000
    var number: Int
    var size: Int
    /// The endpoint's cap, reported as `metadata.maxPageSize`.
    var cap: Int
    /// Elements carry no `metadata` (`behaviour.pageMetadataOmitted`).
    var omitsMetadata = false

    init(query: [String: String], defaultSize: Int = 1000, cap: Int = Paging.maxPageSize) throws {
        number = Int(query["pageNumber"] ?? "1") ?? -1
        self.cap = cap
        size = min(Int(query["pageSize"] ?? "\(defaultSize)") ?? -1, cap)
        guard number >= 1, size >= 1 else {
            throw VismaError.badRequest("Error: pageNumber and pageSize must be positive whole numbers.")
        }
    }

    func page<T>(_ all: [T]) -> ArraySlice<T> {
        let start = (number - 1) * size
        guard start < all.count else { return [] }
        return all[start..<min(all.count, start + size)]
    }

    /// A bare array whose elements carry `metadata {totalCount, maxPageSize}` (most list endpoints).
    func arrayResponse(_ all: [JSONValue]) -> JSONValue {
        let metadata: JSONValue = ["totalCount": .number(Double(all.count)), "maxPageSize": .number(Double(cap))]
        return .array(
            page(all).map { element in
                guard !omitsMetadata else { return element }
                guard var object = element.objectValue else { return element }
                object["metadata"] = metadata
                return .object(object)
            })
    }

    /// The wrapper `{pageNumber, pageSize, totalCount, records}` (kit specifications).
    func wrapperResponse(_ all: [JSONValue]) -> JSONValue {
        [
            "pageNumber": .number(Double(number)), "pageSize": .number(Double(size)),
            "totalCount": .number(Double(all.count)), "records": .array(Array(page(all))),
        ]
    }
}

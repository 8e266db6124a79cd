import FlexyVismaCore
import Foundation

/// Reads from the Visma API: authorised GETs decoded into read DTOs, lists page by page.
///
/// Requests go one after another over one libcurl session; the token comes from the shared
/// `TokenProvider` and is fetched again once when Visma answers 401.
public struct VismaReader: Sendable {
    public let baseURL: String
    public let tokens: TokenProvider
    private let session: CurlSession

    public init(connection: VismaConnection, tokens: TokenProvider? = nil) throws {
        baseURL = connection.baseURL
        self.tokens = try tokens ?? TokenProvider(connection: connection)
        session = try CurlSession()
    }

    /// GET a path under the base URL and decode the answer.
    ///
    /// Throws `VismaClientError`: 78 when Visma refuses a fresh token or the client's rights (401, 403: scope or
    /// user rights), 75 when it cannot be reached, answers 5xx or 429, or answers something that is not the DTO;
    /// 65 for any other refusal.
    public func get<Answer: Decodable>(_ path: String, as type: Answer.Type = Answer.self) async throws -> Answer {
        var (token, response) = try await authorisedGET(path)
        if response.status == 401 {
            await tokens.invalidate(token)
            (token, response) = try await authorisedGET(path)
        }
        guard response.status == 200 else {
            let status: ExitStatus =
                [401, 403].contains(response.status)
                ? .configuration
                : (response.status >= 500 || response.status == 429 ? .temporaryFailure : .dataRejected)
            throw VismaClientError(
                exitStatus: status,
                message:
                    "Visma answered GET \(path) with HTTP \(response.status)\(response.vismaMessage.map { ": \($0)" } ?? "")"
            )
        }
        do {
            return try BoundedJSONDecoder.decode(Answer.self, from: response.body)
        } catch {
            throw VismaClientError(
                exitStatus: .temporaryFailure,
                message:
                    "Visma's answer to GET \(path) cannot be read: \((error as? DecodingError)?.plainDescription ?? "\(error)")"
            )
        }
    }

    /// Every element of a paged list.
    public func getAllPages<Element: PagedListElement>(
        _ path: String, pageSize: Int = 1000, as type: Element.Type = Element.self
    )
        async throws -> [Element]
    {
        try await Self.collectPages(pageSize: pageSize) { page, size in
            let elements = try await get(Self.path(path, page: page, pageSize: size), as: [Element].self)
            return Page(
                elements: elements, totalCount: elements.first?.metadata?.totalCount,
                maxPageSize: elements.first?.metadata?.maxPageSize)
        }
    }

    /// One page of a list and what Visma said about the whole list, when it said it.
    public struct Page<Element> {
        public var elements: [Element]
        /// `metadata.totalCount` (bare lists) or `totalCount` (paginated wrappers).
        public var totalCount: Int?
        /// `metadata.maxPageSize`, or a wrapper's `pageSize`: the page size Visma actually used.
        public var maxPageSize: Int?

        public init(elements: [Element], totalCount: Int?, maxPageSize: Int?) {
            self.elements = elements
            self.totalCount = totalCount
            self.maxPageSize = maxPageSize
        }
    }

    /// Pages 1, 2, … until the list is complete.
    ///
    /// Visma limits `pageSize` to the endpoint's cap and reports the cap in `metadata.maxPageSize`
    /// (OAS `pageSize` parameter), so later pages ask for the cap. The list ends when `totalCount`
    /// elements are read, or on an empty page. Without a total, the last page is the one holding the
    /// remainder (Visma's paging article): shorter than the size in force when Visma reports the cap;
    /// when it reports nothing, a cap may be in force unseen, so only a page shorter than the one
    /// before it (or an empty one) ends the list.
    public static func collectPages<Element>(
        pageSize: Int, _ fetchPage: (_ page: Int, _ pageSize: Int) async throws -> Page<Element>
    ) async throws -> [Element] {
        var all: [Element] = []
        var size = pageSize
        var page = 1
        var previous: Int?
        while true {
            guard page <= AnswerNumbers.maximumPages else {
                throw VismaClientError(
                    exitStatus: .temporaryFailure,
                    message:
                        "Visma kept answering a list past \(AnswerNumbers.maximumPages) pages (\(all.count) entries); stopped reading it, try again later"
                )
            }
            let answer = try await fetchPage(page, size)
            all += answer.elements
            if let cap = answer.maxPageSize, cap > 0 { size = min(size, cap) }
            if answer.elements.isEmpty { return all }
            if let total = answer.totalCount {
                if all.count >= total { return all }
            } else if answer.maxPageSize != nil {
                if answer.elements.count < size { return all }
            } else if let previous, answer.elements.count < previous {
                return all
            }
            previous = answer.elements.count
            page += 1
        }
    }

    /// The path with `pageNumber` and `pageSize` added to its query.
    public static func path(_ path: String, page: Int, pageSize: Int) -> String {
        "\(path)\(path.contains("?") ? "&" : "?")pageNumber=\(page)&pageSize=\(pageSize)"
    }

    private func authorisedGET(_ path: String) async throws -> (token: String, response: HTTPResponse) {
        let token = try await tokens.token()
        do {
            let response = try await session.send(
                HTTPRequest(
                    method: "GET", url: baseURL + path,
                    headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/json")]))
            return (token, response)
        } catch let error as HTTPTransportError {
            throw VismaClientError(
                exitStatus: .temporaryFailure, message: "cannot reach Visma: \(error); try again later")
        }
    }
}

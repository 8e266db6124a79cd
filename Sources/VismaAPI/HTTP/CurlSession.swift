internal import CCurl
import Dispatch
import Foundation

/// An HTTP request as the Visma client sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: Data?
    /// Send it on a new connection, so that libcurl never re-sends it by itself when a reused
    /// connection closes before the answer: for a create Visma may number, a second copy is a second record.
    public var freshConnection: Bool
    /// A `multipart/form-data` body instead of `body` (sent with libcurl's MIME API, which sets the Content-Type).
    public var form: [FormPart]?

    public init(
        method: String, url: String, headers: [(String, String)] = [], body: Data? = nil, freshConnection: Bool = false,
        form: [FormPart]? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.freshConnection = freshConnection
        self.form = form
    }
}

/// One part of a `multipart/form-data` body: a file, by its name and bytes.
public struct FormPart: Sendable {
    public var name: String
    public var fileName: String
    public var contentType: String
    public var data: Data

    public init(name: String, fileName: String, contentType: String, data: Data) {
        self.name = name
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
    }
}

/// A complete HTTP answer; header names lowercased.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    /// Header names are looked up lowercased: give them so.
    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public subscript(header name: String) -> String? { headers[name.lowercased()] }
}

/// The request never got a complete answer: connection refused or dropped, timeout, TLS failure.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var url: String

    public var description: String { "\(message) (libcurl error \(code)) for \(url)" }
}

/// One libcurl easy handle: requests one after another over kept-alive connections.
///
/// Not for concurrent use; make one session per worker. TLS verification is libcurl's default
/// (on, with the OS trust store) and is never turned off; proxies come from the standard variables.
public final class CurlSession: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    /// Its own serial queue: an overcommitting thread, so a blocked transfer never holds up the
    /// global pool that Swift concurrency's cooperative threads also come from on Linux.
    private let queue = DispatchQueue(label: "flexyvisma.curl-session")
    public var timeoutMilliseconds: Int
    public var connectTimeoutMilliseconds: Int
    /// Keep connections alive between requests. Note that libcurl then re-sends a request once,
    /// by itself, when a reused connection closes before any answer — so a request whose answer
    /// was lost can reach the server twice, and the uploader must expect "already exists".
    public var reuseConnections: Bool

    public init(
        timeoutMilliseconds: Int = 30_000, connectTimeoutMilliseconds: Int = 10_000, reuseConnections: Bool = true
    ) throws {
        LibcurlRuntime.initializeOnce()
        guard let handle = curl_easy_init() else {
            throw HTTPTransportError(code: -1, message: "libcurl could not create a handle", url: "")
        }
        self.handle = handle
        self.timeoutMilliseconds = timeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.reuseConnections = reuseConnections
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends the request off the cooperative thread pool and awaits the answer.
    ///
    /// Callers await one request at a time per session; sessions are not shared between tasks.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.perform(request) })
            }
        }
    }

    /// Sends the request and waits for the whole answer.
    public func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        // reset keeps the connection cache, so keep-alive survives between requests.
        curl_easy_reset(handle)
        let collector = ResponseCollector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // libcurl sends "Expect: 100-continue" for larger bodies; Visma and the simulator do not need the round trip.
        headerList = curl_slist_append(headerList, "Expect:")

        try check(fv_curl_easy_setopt_string(handle, CURLOPT_URL, request.url), request)
        try check(fv_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1), request)
        try check(fv_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds), request)
        try check(fv_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds), request)
        try check(fv_curl_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1), request)
        try check(fv_curl_easy_setopt_long(handle, CURLOPT_FORBID_REUSE, reuseConnections ? 0 : 1), request)
        try check(fv_curl_easy_setopt_long(handle, CURLOPT_FRESH_CONNECT, request.freshConnection ? 1 : 0), request)
        // HTTP(S) only, also after a redirect (none is followed: FOLLOWLOCATION stays off).
        try check(fv_curl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), request)
        try check(fv_curl_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), request)
        try check(fv_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), request)
        // No Accept-Encoding and no CURLOPT_ACCEPT_ENCODING: libcurl then decodes nothing, so the body cap
        // counts the bytes that arrive and a small gzip bomb cannot expand behind it. Visma's JSON
        // answers are small enough that compression saves little.
        try check(fv_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), request)
        try check(
            fv_curl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, ResponseCollector.bodyCallback), request)
        try check(fv_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context), request)
        try check(
            fv_curl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, ResponseCollector.headerCallback), request
        )
        try check(fv_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context), request)

        let mime = try setMethodAndBody(request)
        defer { curl_mime_free(mime) }

        let result = curl_easy_perform(handle)
        if collector.overflowed {
            throw HTTPTransportError(
                code: Int(result.rawValue),
                message:
                    "the server's answer is larger than \(ResponseCollector.maximumBodyBytes / (1024 * 1024)) MiB (headers \(ResponseCollector.maximumHeaderBytes / 1024) KiB); transfer aborted",
                url: request.url)
        }
        guard result == CURLE_OK else {
            throw HTTPTransportError(
                code: Int(result.rawValue), message: String(cString: curl_easy_strerror(result)), url: request.url)
        }
        var status = 0
        _ = fv_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: collector.headers, body: collector.body)
    }

    /// GET, or the method with its body (copied into libcurl); a form is returned for the caller to free after the transfer.
    private func setMethodAndBody(_ request: HTTPRequest) throws -> OpaquePointer? {
        switch request.method {
        case "GET":
            try check(fv_curl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1), request)
        case "POST" where request.form != nil:
            return try setForm(request.form ?? [], request)
        default:
            let body = request.body ?? Data()
            try check(fv_curl_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count), request)
            // COPYPOSTFIELDS copies, so the bytes need not outlive this call.
            try body.withUnsafeBytes { raw in
                if let base = raw.baseAddress, !raw.isEmpty {
                    try check(
                        fv_curl_easy_setopt_pointer(
                            handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base)), request)
                } else {
                    try check(fv_curl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""), request)
                }
            }
            if request.method != "POST" {
                try check(fv_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method), request)
            }
        }
        return nil
    }

    /// A `multipart/form-data` POST: each part's bytes copied into libcurl (`curl_mime_data`), with its file name and type.
    private func setForm(_ parts: [FormPart], _ request: HTTPRequest) throws -> OpaquePointer? {
        guard let mime = curl_mime_init(handle) else {
            throw HTTPTransportError(code: -1, message: "libcurl could not make a multipart form", url: request.url)
        }
        do {
            for part in parts {
                guard let field = curl_mime_addpart(mime) else {
                    throw HTTPTransportError(
                        code: -1, message: "libcurl could not add a part to the form", url: request.url)
                }
                try check(curl_mime_name(field, part.name), request)
                try check(curl_mime_filename(field, part.fileName), request)
                try check(curl_mime_type(field, part.contentType), request)
                try part.data.withUnsafeBytes { raw in
                    if let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self) {
                        try check(curl_mime_data(field, base, raw.count), request)
                    } else {
                        try check(curl_mime_data(field, "", 0), request)
                    }
                }
            }
            try check(fv_curl_easy_setopt_pointer(handle, CURLOPT_MIMEPOST, UnsafeMutableRawPointer(mime)), request)
        } catch {
            curl_mime_free(mime)
            throw error
        }
        return mime
    }

    private func check(_ code: CURLcode, _ request: HTTPRequest) throws {
        guard code == CURLE_OK else {
            throw HTTPTransportError(
                code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)), url: request.url)
        }
    }
}

/// Receives libcurl's callbacks for one transfer.
///
/// Bodies and headers are capped: a lying server cannot make the stage hold more than the cap in memory.
final class ResponseCollector {
    /// Visma's largest pages are a few MiB; anything beyond this is not an answer we can use.
    static let maximumBodyBytes = 32 * 1024 * 1024
    static let maximumHeaderBytes = 256 * 1024

    var body = Data()
    var headers: [String: String] = [:]
    var headerBytes = 0
    /// Set when a cap was reached and the transfer aborted (returning less than given makes libcurl stop).
    var overflowed = false

    static let bodyCallback: fv_curl_data_callback = { data, size, count, context in
        guard let data, let context else { return 0 }
        let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
        let (total, wrapped) = size.multipliedReportingOverflow(by: count)
        guard !wrapped, collector.body.count + total <= ResponseCollector.maximumBodyBytes else {
            collector.overflowed = true
            return 0
        }
        collector.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
        return size * count
    }

    static let headerCallback: fv_curl_data_callback = { data, size, count, context in
        guard let data, let context else { return 0 }
        let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
        collector.headerBytes += size * count
        guard collector.headerBytes <= ResponseCollector.maximumHeaderBytes else {
            collector.overflowed = true
            return 0
        }
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            collector.headers = [:]  // a new response (after a redirect or 100 Continue)
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            // Header values are ASCII; Foundation's Unicode trimming took 5 % of the upload's CPU.
            var value = line[line.index(after: colon)...]
            while let first = value.utf8.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
            while let last = value.utf8.last, [0x20, 0x09, 0x0D, 0x0A].contains(last) { value = value.dropLast() }
            collector.headers[name] = String(value)
        }
        return size * count
    }
}

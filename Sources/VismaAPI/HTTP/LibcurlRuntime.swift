internal import CCurl

/// The process-wide libcurl set-up and what the linked libcurl can do.
public enum LibcurlRuntime {
    /// `curl_global_init` must run once before any handle is made; a static initialiser runs once.
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    public static func initializeOnce() { _ = initialized }

    /// Versions and features of the libcurl this binary runs with (for `flexyvisma version`).
    public static var info: LibcurlInfo {
        initializeOnce()
        guard let data = curl_version_info(CURLVERSION_FOURTH) else {
            return LibcurlInfo(version: "unknown", tlsLibrary: nil, supportsHTTP2: false, supportsTLS: false)
        }
        let raw = data.pointee
        let features = raw.features
        return LibcurlInfo(
            version: raw.version.map { String(cString: $0) } ?? "unknown",
            tlsLibrary: raw.ssl_version.map { String(cString: $0) },
            supportsHTTP2: features & Int32(CURL_VERSION_HTTP2) != 0,
            supportsTLS: features & Int32(CURL_VERSION_SSL) != 0)
    }
}

public struct LibcurlInfo: Sendable, Equatable {
    public var version: String
    public var tlsLibrary: String?
    public var supportsHTTP2: Bool
    public var supportsTLS: Bool
}

import Foundation

/// Percent-encoding for an id in a URL path and a value in a form body.
public enum PercentEncoding {
    /// RFC 3986 unreserved characters: ASCII letters, digits and `-._~`.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Everything but the unreserved ASCII characters percent-encoded (UTF-8 bytes for other letters),
    /// so `/`, space, `+`, `%`, `#`, `?` and `Ø` in a number stay one path segment.
    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

import Foundation

/// Percent-encoding for an id in a URL path and a value in a form body.
public enum PercentEncoding {
    /// Everything but `CharacterSet.alphanumerics` (Unicode letters and digits) and `-._~` percent-encoded.
    public static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

import Foundation

extension StringProtocol {
    /// The text with `%XX` escapes decoded; unchanged when it has none or they are malformed.
    /// Checks for a `%` first: Foundation's decoding goes through CoreFoundation even when there
    /// is nothing to decode, once per request on both sides of an upload.
    public var percentDecoded: String {
        guard utf8.contains(UInt8(ascii: "%")) else { return String(self) }
        return String(self).removingPercentEncoding ?? String(self)
    }
}

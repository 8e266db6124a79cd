import Foundation

/// The one rule for a Visma URL: `https://` anywhere, `http://` only to this machine.
///
/// Plain HTTP would carry the client secret and the venue's personal data in clear; the loopback
/// exception is for the local simulator and the tests, whose traffic never leaves the host.
public enum VismaEndpointRule {
    /// Why the text is not an acceptable Visma URL, with the fix; nil when it is.
    public static func problem(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty
        else {
            return "'\(text)' is not an http(s) URL"
        }
        switch scheme {
        case "https":
            return nil
        case "http" where isLoopback(host):
            return nil
        case "http":
            return
                "'\(text)' is plain HTTP to \(host), which would send the client secret in clear; use https:// (http:// is allowed only to 127.0.0.1, ::1 or localhost)"
        default:
            return "'\(text)' is not an http(s) URL"
        }
    }

    /// 127.0.0.0/8, ::1 or `localhost`: addresses that never leave the machine.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" { return true }
        if bare == "::1" { return true }
        var ipv4 = in_addr()
        if inet_pton(AF_INET, bare, &ipv4) == 1 { return UInt32(bigEndian: ipv4.s_addr) >> 24 == 127 }
        var ipv6 = in6_addr()
        if inet_pton(AF_INET6, bare, &ipv6) == 1 {
            return withUnsafeBytes(of: &ipv6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }
}

import Foundation

/// Text from outside (Visma's answers, drop files, manifests) made safe to print on a terminal.
public enum TerminalText {
    /// Control characters other than line feed and tab (escape sequences, carriage returns, bells, C1 controls,
    /// bidirectional overrides) become visible `\u{…}` escapes; a CR LF pair becomes a line feed.
    public static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars {
            if isUnsafe(scalar) {
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// C0 controls but line feed and tab, DEL, C1 controls and the bidirectional overrides and isolates.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        let control = value < 0x20 && scalar != "\n" && scalar != "\t"
        return control || value == 0x7F || (0x80...0x9F).contains(value) || (0x202A...0x202E).contains(value)
            || (0x2066...0x2069).contains(value)
    }
}

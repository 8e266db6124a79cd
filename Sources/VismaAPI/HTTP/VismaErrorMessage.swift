import Foundation

extension HTTPResponse {
    /// Visma's own words in an answer: `message` (the REST API), `Message` (ASP.NET's framework
    /// errors) or `ExceptionMessage` followed by `ExceptionDetails` on the next line (IPP), else the body
    /// as text (its first 2,000 bytes); nil for an empty body. Verbatim, line breaks kept, but safe to print:
    /// see `TerminalText.escaped`.
    public var vismaMessage: String? {
        if let shape = try? JSONDecoder().decode(VismaErrorShape.self, from: body),
            let message = shape.message ?? shape.capitalisedMessage ?? shape.exceptionMessage
        {
            let details = shape.message == nil && shape.capitalisedMessage == nil ? shape.exceptionDetails : nil
            let text = [message, details].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n")
            return TerminalText.escaped(text)
        }
        let text = String(decoding: body.prefix(2000), as: UTF8.self)
        return text.isEmpty ? nil : TerminalText.escaped(text)
    }
}

/// The error bodies Visma answers with; each field is absent in all shapes but one.
private struct VismaErrorShape: Decodable {
    var message: String?
    var capitalisedMessage: String?
    var exceptionMessage: String?
    var exceptionDetails: String?

    enum CodingKeys: String, CodingKey {
        case message, capitalisedMessage = "Message", exceptionMessage = "ExceptionMessage", exceptionDetails = "ExceptionDetails"
    }
}

/// Text from outside (Visma's answers) made safe to print on a terminal.
public enum TerminalText {
    /// Control characters other than line feed and tab (escape sequences, carriage returns, bells, C1 controls,
    /// bidirectional overrides) become visible `\u{…}` escapes; a CR LF pair becomes a line feed.
    public static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars {
            let value = scalar.value
            let control = value < 0x20 && scalar != "\n" && scalar != "\t"
            let invisible = value == 0x7F || (0x80...0x9F).contains(value) || (0x202A...0x202E).contains(value)
                || (0x2066...0x2069).contains(value)
            if control || invisible {
                result += "\\u{\(String(value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

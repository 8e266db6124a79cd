import FlexyVismaCore
import Foundation

extension HTTPResponse {
    /// Visma's own words in an answer: `message` (the REST API), `Message` (ASP.NET's framework
    /// errors) or `ExceptionMessage` followed by `ExceptionDetails` on the next line (IPP), else the body
    /// as text (its first 2,000 bytes); nil for an empty body. Verbatim, line breaks kept, but safe to print:
    /// see `TerminalText.escaped`.
    public var vismaMessage: String? {
        // Our bounded parser, not Foundation's decoder: a lying server's `[[[[…` must not exhaust the stack.
        if let shape = try? JSONValue.parse(body),
            let message = shape["message"]?.stringValue ?? shape["Message"]?.stringValue
                ?? shape["ExceptionMessage"]?.stringValue
        {
            let plain = shape["message"]?.stringValue == nil && shape["Message"]?.stringValue == nil
            let details = plain ? shape["ExceptionDetails"]?.stringValue : nil
            let text = [message, details].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n")
            return TerminalText.escaped(text)
        }
        let text = String(decoding: body.prefix(2000), as: UTF8.self)
        return text.isEmpty ? nil : TerminalText.escaped(text)
    }
}

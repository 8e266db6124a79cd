import FlexyVismaCore
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

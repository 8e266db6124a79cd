import FlexyVismaCore
import Foundation

/// A Visma-style error answer: an HTTP status and `{"message": "VismaId: <uuid>. …"}`, or the IPP shape.
struct VismaError: Error, Equatable {
    var status: Int
    var message: String
    /// The text without the `VismaId` prefix; lines after the first are the details.
    var text: String
    var id: String

    init(_ status: Int, _ text: String) {
        self.status = status
        self.text = text
        id = UUID().uuidString.lowercased()
        message = "VismaId: \(id). \(text)"
    }

    static func badRequest(_ text: String) -> VismaError { VismaError(400, text) }
    static func notFound(_ text: String) -> VismaError { VismaError(404, text) }

    /// What Visma answers when the body does not deserialize into the DTO.
    static func notRecognized(_ dto: String, _ detail: String) -> VismaError {
        VismaError(400, "Data received not recognized as \(dto). \(detail)")
    }

    var body: JSONValue { ["message": .string(message)] }

    /// The IPP shape (`behaviour.ippErrors`): the first line of the text as `ExceptionMessage`, the rest as
    /// `ExceptionDetails`; the fault code is the HTTP status (Visma's own codes are not documented).
    var ippBody: JSONValue {
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return [
            "ExceptionType": "IPPException", "ExceptionMessage": .string(String(lines.first ?? "")),
            "ExceptionFaultCode": .string(String(status)), "ExceptionMessageID": .string("\(status)_\(id)"),
            "ExceptionDetails": .string(lines.count > 1 ? String(lines[1]) : ""),
        ]
    }
}

import FlexyVismaCore
import Foundation

/// A Visma-style error answer: an HTTP status and `{"message": "VismaId: <uuid>. …"}`.
struct VismaError: Error, Equatable {
    var status: Int
    var message: String

    init(_ status: Int, _ text: String) {
        self.status = status
        self.message = "VismaId: \(UUID().uuidString.lowercased()). \(text)"
    }

    static func badRequest(_ text: String) -> VismaError { VismaError(400, text) }
    static func notFound(_ text: String) -> VismaError { VismaError(404, text) }

    /// What Visma answers when the body does not deserialize into the DTO.
    static func notRecognized(_ dto: String, _ detail: String) -> VismaError {
        VismaError(400, "Data received not recognized as \(dto). \(detail)")
    }

    var body: JSONValue { ["message": .string(message)] }
}

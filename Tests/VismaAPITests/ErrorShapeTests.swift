import FlexyVismaCore
import Foundation
import Testing

@testable import VismaAPI

/// Visma's error bodies come in three shapes; each yields Visma's own words.
@Suite struct ErrorShapeTests {
    func answer(_ body: String) -> HTTPResponse { HTTPResponse(status: 400, headers: [:], body: Data(body.utf8)) }

    @Test func theMessageIsFoundInEachShapeElseTheBodyIsTheMessage() {
        #expect(
            answer(#"{"message": "VismaId: 1. Supplier does not exist."}"#).vismaMessage
                == "VismaId: 1. Supplier does not exist.")
        #expect(answer(#"{"Message": "The request is invalid."}"#).vismaMessage == "The request is invalid.")
        #expect(
            answer(#"{"ExceptionType": "PX.Data.PXException", "ExceptionMessage": "Period is closed"}"#).vismaMessage
                == "Period is closed")
        #expect(answer("<html>Bad gateway</html>").vismaMessage == "<html>Bad gateway</html>")
        #expect(answer("").vismaMessage == nil)
    }

    /// Found by `fuzz-json` (a body of 513 `[`): Foundation's decoder ran out of stack on it. A lying server's
    /// deeply nested body is shown as text, whatever its depth.
    @Test func aDeeplyNestedBodyIsShownAsTextNotACrash() {
        for depth in [513, 100_000] {
            let message = answer(String(repeating: "[", count: depth)).vismaMessage
            #expect(message == String(repeating: "[", count: min(depth, 2000)))
        }
    }
}

/// IPP answers carry their details, multi-line texts stay multi-line, and nothing Visma says can steer the terminal.
@Suite struct ErrorTextTests {
    func answer(_ body: String) -> HTTPResponse { HTTPResponse(status: 400, headers: [:], body: Data(body.utf8)) }

    @Test func ippDetailsFollowTheMessageOnTheirOwnLine() {
        let ipp =
            #"{"ExceptionType": "IPPException", "ExceptionMessage": "No license for this company.", "ExceptionFaultCode": "12027", "ExceptionMessageID": "12027_1", "ExceptionDetails": "Module: PO"}"#
        #expect(answer(ipp).vismaMessage == "No license for this company.\nModule: PO")
        let empty =
            #"{"ExceptionType": "IPPException", "ExceptionMessage": "No license for this company.", "ExceptionDetails": ""}"#
        #expect(answer(empty).vismaMessage == "No license for this company.")
    }

    @Test func multiLineMessagesAreKeptAndControlCharactersAreShownNotObeyed() {
        #expect(
            answer(#"{"message": "VismaId: 1. Error:\nLine 1: a\r\nLine 2: b"}"#).vismaMessage
                == "VismaId: 1. Error:\nLine 1: a\nLine 2: b")
        #expect(
            answer(#"{"message": "red \u001b[31mtext\u0007 \u202eevil"}"#).vismaMessage
                == #"red \u{1B}[31mtext\u{7} \u{202E}evil"#)
        #expect(TerminalText.escaped("tab\tkept, æøå kept") == "tab\tkept, æøå kept")
    }
}

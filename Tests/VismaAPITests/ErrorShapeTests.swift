import Foundation
import Testing

@testable import VismaAPI

/// Visma's error bodies come in three shapes; each yields Visma's own words.
@Suite struct ErrorShapeTests {
    func answer(_ body: String) -> HTTPResponse { HTTPResponse(status: 400, headers: [:], body: Data(body.utf8)) }

    @Test func theMessageIsFoundInEachShapeElseTheBodyIsTheMessage() {
        #expect(answer(#"{"message": "VismaId: 1. Supplier does not exist."}"#).vismaMessage == "VismaId: 1. Supplier does not exist.")
        #expect(answer(#"{"Message": "The request is invalid."}"#).vismaMessage == "The request is invalid.")
        #expect(answer(#"{"ExceptionType": "PX.Data.PXException", "ExceptionMessage": "Period is closed"}"#).vismaMessage == "Period is closed")
        #expect(answer("<html>Bad gateway</html>").vismaMessage == "<html>Bad gateway</html>")
        #expect(answer("").vismaMessage == nil)
    }
}

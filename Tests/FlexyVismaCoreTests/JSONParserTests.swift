import FlexyVismaCore
import Foundation
import Testing

@Suite struct JSONParserTests {
    @Test func parsesWhatFoundationProducesForAWriteDTO() throws {
        let value: JSONValue = [
            "batchNumber": ["value": "J-000042"], "hold": ["value": false], "note": .null,
            "lines": [
                ["debit": 121.5, "credit": 0, "text": "Kaffe ☕ \"stor\"\n\\ / æøå"], ["debit": -0.25, "credit": 1e-3],
            ],
        ]
        #expect(try JSONValue.parse(value.encoded()) == value)
        #expect(try JSONValue.parse(" \t\r\n[1 , 2]\n") == [1, 2])
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try JSONValue.parse(#""a\u00e6\u00F8\ud83d\ude00\t\b\f\r\/""#) == .string("aæø😀\t\u{8}\u{c}\r/"))
        #expect(try JSONValue.parse(#"{"k\"ey": "v"}"#) == ["k\"ey": "v"])
    }

    @Test(arguments: [
        ("", 0), ("[1,]", 3), ("{\"a\" 1}", 5), ("[1 2]", 3), ("01", 0), ("1.", 0), ("-", 0), ("1e", 0), ("tru", 0),
        ("\"abc", 4), ("\"a\tb\"", 2), ("\"\\x\"", 2), ("\"\\ud83d\"", 7), ("\"\\udc00\"", 7), ("[1] x", 4),
        ("{\"a\":1,}", 7),
        ("1e999", 0), ("NaN", 0),
    ])
    func refusesInvalidTextAtItsOffset(text: String, offset: Int) {
        let error = #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
        #expect(error?.offset == offset, "\(text): \(String(describing: error))")
    }

    @Test func refusesInvalidUTF8InAString() {
        let bytes = Data([0x22, 0x61, 0xC3, 0x28, 0x22])
        let error = #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(bytes) }
        #expect(error?.offset == 1)
    }

    @Test func refusesHostileNestingWithoutRecursingIntoIt() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(deep) }
        #expect(error?.offset == JSONValue.maximumDepth)
        let fine =
            String(repeating: "[", count: JSONValue.maximumDepth)
            + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(throws: Never.self) { try JSONValue.parse(fine) }
    }

    @Test func agreesWithFoundationOnNumbers() throws {
        for text in ["0", "-0", "12.5", "1E+2", "-3.25e-2", "123456789012345", "0.1"] {
            let ours = try JSONValue.parse(text)
            let foundation = try JSONDecoder().decode(Double.self, from: Data(text.utf8))
            #expect(ours == .number(foundation), "\(text)")
        }
    }
}

/// Found by `fuzz-json`: Foundation's decoder traps on 513 nested brackets (a lying server's answer, a file in the root).
@Suite struct BoundedJSONDecoderTests {
    @Test func aDocumentNestedTooDeepIsRefusedBeforeFoundationSeesIt() throws {
        let deep = Data(String(repeating: "[", count: 513).utf8)
        #expect(throws: BoundedJSONDecoder.TooDeep.self) { try BoundedJSONDecoder.decode([Int].self, from: deep) }
        // Brackets inside strings do not count; a document within the limit decodes as Foundation would.
        let quoted = Data(("[\"" + String(repeating: "[", count: 600) + "\"]").utf8)
        #expect(try BoundedJSONDecoder.decode([String].self, from: quoted).first?.count == 600)
        let nested = Data((String(repeating: "[", count: 200) + String(repeating: "]", count: 200)).utf8)
        #expect(throws: Never.self) { _ = try BoundedJSONDecoder.decode(AnyDepth.self, from: nested) }
    }

    private struct AnyDepth: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}

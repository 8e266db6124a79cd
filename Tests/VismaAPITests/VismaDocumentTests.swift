import Foundation
import TestSupport
import Testing

/// `docs/VISMA.md` names, for every assumption about Visma, the tests that hold it: each must exist.
@Suite struct VismaDocumentTests {
    /// Every `Suite/test` in the text.
    static func citations(in text: String) throws -> Set<String> {
        let pattern = try NSRegularExpression(pattern: "\\b([A-Z][A-Za-z]*Tests)/([a-z][A-Za-z0-9]*)")
        let range = NSRange(text.startIndex..., in: text)
        return Set(
            pattern.matches(in: text, range: range).compactMap { match in
                Range(match.range, in: text).map { String(text[$0]) }
            })
    }

    /// The test functions of each suite in `Tests/`, by suite name (a suite may span extensions and files).
    static func testsBySuite() throws -> [String: Set<String>] {
        let suitePattern = try NSRegularExpression(
            pattern: "^(?:@Suite[^\\n]*\\n)?\\s*(?:@Suite\\s+)?(?:struct|extension)\\s+([A-Z][A-Za-z]*Tests)\\b",
            options: [.anchorsMatchLines])
        // `@Test`, its traits (which may span lines), then the function.
        let testPattern = try NSRegularExpression(
            pattern: "@Test\\b(?:(?!@Test)[\\s\\S]){0,600}?\\bfunc\\s+([a-z][A-Za-z0-9]*)")
        var tests: [String: Set<String>] = [:]
        let folder = Repository.root.appendingPathComponent("Tests")
        guard let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            return [:]
        }
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            let nsText = text as NSString
            // Each test belongs to the nearest suite declared above it.
            let suites = suitePattern.matches(in: text, range: NSRange(location: 0, length: nsText.length)).map {
                ($0.range.location, nsText.substring(with: $0.range(at: 1)))
            }
            for match in testPattern.matches(in: text, range: NSRange(location: 0, length: nsText.length)) {
                let nameRange = match.range(at: 1)
                guard let suite = suites.last(where: { $0.0 < match.range.location })?.1 else { continue }
                tests[suite, default: []].insert(nsText.substring(with: nameRange))
            }
        }
        return tests
    }

    @Test func everyTestTheVismaDocumentNamesExists() throws {
        let document = try String(contentsOf: Repository.root.appendingPathComponent("docs/VISMA.md"), encoding: .utf8)
        let cited = try Self.citations(in: document)
        #expect(cited.count >= 50, "docs/VISMA.md should cite the tests behind its entries")
        let tests = try Self.testsBySuite()
        for citation in cited.sorted() {
            let parts = citation.split(separator: "/").map(String.init)
            #expect(tests[parts[0]]?.contains(parts[1]) == true, "docs/VISMA.md names \(citation), which is not a test")
        }
    }

    @Test func aRenamedTestIsCaught() throws {
        let tests = try Self.testsBySuite()
        #expect(tests["VismaDocumentTests"]?.contains("everyTestTheVismaDocumentNamesExists") == true)
        #expect(tests["VismaDocumentTests"]?.contains("noSuchTest") != true)
    }
}

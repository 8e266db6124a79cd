import Foundation
import TestSupport
import Testing

/// Rule ids live in one catalog per module, and `docs/VALIDATION.md` is generated from them.
@Suite struct RuleDocumentationTests {
    static let umbrella = ChildProcess.executable("flexyvisma")

    /// The generated block of `docs/VALIDATION.md`, between its markers.
    static func documentedBlock() throws -> String {
        let text = try String(contentsOf: Repository.root.appendingPathComponent("docs/VALIDATION.md"), encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- rules:begin -->\n"))
        let end = try #require(text.range(of: "<!-- rules:end -->"))
        return String(text[begin.upperBound..<end.lowerBound])
    }

    /// Every rule id `flexyvisma rules --markdown` lists, in its order.
    static func generatedIds() throws -> [String] {
        let generated = try ChildProcess.run(umbrella, ["rules", "--markdown"]).standardOutput
        return generated.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return line.dropFirst(3).split(separator: "`").first.map(String.init)
        }
    }

    @Test func validationDocumentIsWhatTheRuleCatalogsGenerate() throws {
        let generated = try ChildProcess.run(Self.umbrella, ["rules", "--markdown"])
        #expect(generated.status == 0)
        #expect(try Self.documentedBlock() == generated.standardOutput, "run Scripts/generate-rules-doc")
    }

    @Test func everyRuleIdIsUniqueAndWellFormed() throws {
        let ids = try Self.generatedIds()
        #expect(ids.count > 80)
        #expect(Set(ids).count == ids.count, "a rule id is in two catalogs")
        #expect(ids.allSatisfy { $0.wholeMatch(of: /[a-z]+\.[a-z]+(-[a-z0-9]+)*/) != nil }, "\(ids)")
    }

    /// A rule id written as a string literal anywhere but its catalog would drift from the documentation.
    @Test func ruleIdsAreWrittenOnlyInTheirCatalogs() throws {
        let ids = Set(try Self.generatedIds())
        let catalogs: Set = [
            "ValidationRule.swift", "UploadRule.swift", "RuleCatalog.swift", "CSVReader.swift", "XMLIssue.swift",
        ]
        var strays: [String] = []
        let sources = FileManager.default.enumerator(
            at: Repository.root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil)
        for case let file as URL in sources?.allObjects ?? []
        where file.pathExtension == "swift" && !catalogs.contains(file.lastPathComponent) {
            let lines = try String(contentsOf: file, encoding: .utf8).split(
                separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() {
                let literals = line.matches(of: /"([a-z]+\.[a-z-]+)"/).map { String($0.output.1) }
                let assignsRule = line.contains("rule: \"") || line.contains(#/[rR]ule\w* = "/#)
                for literal in literals where ids.contains(literal) || assignsRule {
                    strays.append("\(file.lastPathComponent):\(number + 1): \(literal)")
                }
            }
        }
        #expect(strays.isEmpty, "use the catalog's constant: \(strays)")
    }

    @Test func rulesExplainsOneRuleAndRefusesAnUnknownOne() throws {
        let one = try ChildProcess.run(Self.umbrella, ["rules", "receipt.unbalanced"])
        #expect(one.status == 0)
        #expect(one.standardOutput.hasPrefix("receipt.unbalanced: a receipt's lines and tenders"))
        let unknown = try ChildProcess.run(Self.umbrella, ["rules", "receipt.nonsense"])
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("no rule receipt.nonsense"))
    }
}

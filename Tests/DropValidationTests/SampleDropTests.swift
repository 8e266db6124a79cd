import DropValidation
import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// The hand-written drops in `Samples/drops/`: each invalid one gives exactly its documented findings.
@Suite struct SampleDropTests {
    static let invalidFiles = ((try? Repository.files(in: Repository.invalidDrops, extensions: ["csv", "xml"])) ?? [])

    @Test(arguments: invalidFiles)
    func invalidDropGivesExactlyItsDocumentedFindings(file: URL) async throws {
        let fixture = try ValidationFixture()
        try fixture.drop([file])
        let outcome = try await fixture.validate()
        let expected = Set(try ExpectedFinding.load(besides: file).map(\.description))
        #expect(outcome.exitStatus == .dataRejected)
        #expect(
            outcome.positionedRules == expected,
            "\(file.lastPathComponent): \(outcome.reportLines.joined(separator: "\n"))")
        // Every finding is positioned, explained and carries a hint for the bookkeeper.
        for finding in outcome.manifest?.rejections ?? [] {
            #expect(finding.file == file.lastPathComponent)
            #expect(!(finding.hint ?? "").isEmpty, "\(finding.rule) has no hint")
        }
    }

    @Test func validDropsTogetherAreAccepted() async throws {
        let fixture = try ValidationFixture()
        try fixture.drop(try Repository.files(in: Repository.validDrops, extensions: ["csv", "xml"]))
        let outcome = try await fixture.validate()
        #expect(outcome.exitStatus == .success, "\(outcome.reportLines.joined(separator: "\n"))")
        #expect(outcome.manifest?.status == .accepted)
        let counts = outcome.manifest?.counts ?? [:]
        #expect(counts["items"] == 6)
        #expect(counts["receipts"] == 2)
        #expect(counts["payments"] == 2)
        #expect(try fixture.inboxNames().isEmpty)
        #expect(try HaltRecord.current(in: fixture.root) == nil)
    }
}

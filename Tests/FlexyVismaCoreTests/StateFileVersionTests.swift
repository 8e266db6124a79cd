import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// `state/*.json` files carry `schemaVersion`; one without it is today's layout, version 1.
@Suite struct StateFileVersionTests {
    func makeRoot() throws -> (TemporaryFolder, PipelineRoot) {
        let folder = try TemporaryFolder()
        let root = PipelineRoot(folder.url)
        for url in root.folders { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        return (folder, root)
    }

    func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func halt() -> HaltRecord {
        HaltRecord(batchId: BatchID.make(), stage: .validate, rejections: 2, first: nil, report: "batches/x/report.txt")
    }

    @Test func savedStateFilesCarryTheirSchemaVersion() throws {
        let (folder, root) = try makeRoot()
        _ = folder
        try halt().save(in: root)
        #expect(try json(HaltRecord.file(in: root))["schemaVersion"] as? Int == HaltRecord.schemaVersion)
    }

    @Test func aStateFileWithoutSchemaVersionLoadsAsVersion1() throws {
        let (folder, root) = try makeRoot()
        _ = folder
        let record = halt()
        // Today's layout: the record's own keys and nothing else.
        try CanonicalJSON.encode(record).write(to: HaltRecord.file(in: root))
        #expect(try json(HaltRecord.file(in: root))["schemaVersion"] == nil)
        #expect(try HaltRecord.current(in: root) == record)

        struct Probe: VersionedStateFile, Equatable {
            static let schemaVersion = 2
            var name: String
            var readAs: Int?
            static func decode(_ data: Data, version: Int) throws -> Probe {
                var probe = try JSONDecoder().decode(Probe.self, from: data)
                probe.readAs = version
                return probe
            }
        }
        let url = root.state.appendingPathComponent("probe.json")
        try Data(#"{"name": "old"}"#.utf8).write(to: url)
        #expect(try StateFiles.read(Probe.self, from: url, damaged: { $0 }) == Probe(name: "old", readAs: 1))
    }

    @Test func aStateFileFromANewerVersionIsRefusedNamingTheFile() throws {
        let (folder, root) = try makeRoot()
        _ = folder
        let url = HaltRecord.file(in: root)
        var object = try JSONSerialization.jsonObject(with: CanonicalJSON.encode(halt())) as? [String: Any] ?? [:]
        object["schemaVersion"] = HaltRecord.schemaVersion + 1
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        let error = try #require(throws: NewerStateFile.self) { _ = try HaltRecord.current(in: root) }
        #expect(error.exitStatus == .configuration)
        #expect(error.description.contains("state/halt.json"))
        #expect(error.description.contains("schemaVersion \(HaltRecord.schemaVersion + 1)"))

        let head = root.state.appendingPathComponent("chain-head.json")
        try Data(#"{"batchId": "x", "fileName": "export.manifest.json", "schemaVersion": 99, "sha256": "00"}"#.utf8)
            .write(to: head)
        #expect(throws: NewerStateFile.self) { _ = try ManifestChain(root: root).head() }
    }
}

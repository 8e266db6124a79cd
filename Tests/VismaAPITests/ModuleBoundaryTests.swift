import Foundation
import TestSupport
import Testing

/// The simulator reads the wire format itself, so that it and the client cannot agree by sharing a bug.
@Suite struct ModuleBoundaryTests {
    @Test func theSimulatorDoesNotImportTheVismaClient() throws {
        for folder in ["Sources/VismaSimulator", "Sources/visma-simulator"] {
            let url = Repository.root.appendingPathComponent(folder)
            let files = try #require(FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil))
                .compactMap { $0 as? URL }
                .filter { $0.pathExtension == "swift" }
            #expect(!files.isEmpty, "\(folder)")
            for file in files {
                let imports = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
                    .filter { $0.contains("import VismaAPI") || $0.contains("import VismaUpload") }
                #expect(imports.isEmpty, "\(file.lastPathComponent): \(imports)")
            }
        }
    }
}

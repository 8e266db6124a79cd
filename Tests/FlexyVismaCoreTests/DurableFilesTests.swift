import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// The file helpers never write through a link, never wait on a FIFO, and set modes exactly.
@Suite struct DurableFilesTests {
    @Test func writeRefusesALinkAndLeavesItsTargetAlone() throws {
        let folder = try TemporaryFolder("durable-files")
        let target = folder.path("outside.txt")
        let link = folder.path("report.txt")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target.path)
        #expect(throws: FileFailure.self) { try DurableFiles.write(Data("x".utf8), to: link) }
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test func writeAtomicallyReplacesALinkInsteadOfWritingThroughIt() throws {
        let folder = try TemporaryFolder("durable-files")
        let target = folder.path("outside.txt")
        try Data("kept".utf8).write(to: target)
        let link = folder.path("validate.manifest.json")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target.path)
        try DurableFiles.writeAtomically(Data("ours".utf8), to: link, permissions: FileModes.sharedFile)
        #expect(try String(contentsOf: target, encoding: .utf8) == "kept")
        #expect(try String(contentsOf: link, encoding: .utf8) == "ours")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == nil)
        #expect(
            (try FileManager.default.attributesOfItem(atPath: link.path)[.posixPermissions] as? NSNumber)?.intValue
                == 0o640)
    }

    @Test func aFIFOIsRefusedAtOnceByDigestAndWrite() throws {
        let folder = try TemporaryFolder("durable-files")
        let fifo = folder.path("items.csv")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        #expect(throws: NotARegularFile.self) { try DurableFiles.digest(of: fifo) }
        #expect(throws: FileFailure.self) { try DurableFiles.write(Data("x".utf8), to: fifo) }
    }

    @Test func aCopyIsHashedAsWrittenAndAHardLinkIsRefused() throws {
        let folder = try TemporaryFolder("durable-files")
        let source = try OpenFolder(folder.url)
        try Data("payment_id\nP-1\n".utf8).write(to: folder.path("payments.csv"))
        let copy = try DurableFiles.copyRegularFile(
            named: "payments.csv", in: source, to: folder.path("copy.csv"), permissions: FileModes.sharedFile)
        #expect(copy.digest == FileDigest(bytes: 15, sha256: Data("payment_id\nP-1\n".utf8).sha256Hex))
        #expect(try DurableFiles.digest(of: folder.path("copy.csv")) == copy.digest)
        #expect(link(folder.path("payments.csv").path, folder.path("second-name.csv").path) == 0)
        #expect(throws: NotARegularFile.self) {
            _ = try DurableFiles.copyRegularFile(
                named: "second-name.csv", in: source, to: folder.path("copy2.csv"), permissions: FileModes.sharedFile)
        }
        // The copy never overwrites: it is created O_EXCL.
        #expect(throws: FileFailure.self) {
            try Data().write(to: folder.path("single.csv"))
            _ = try DurableFiles.copyRegularFile(
                named: "single.csv", in: source, to: folder.path("copy.csv"), permissions: FileModes.sharedFile)
        }
    }

    @Test func aWriteThatCannotBePutInPlaceLeavesNoTemporaryFileBehind() throws {
        let folder = try TemporaryFolder("durable-files")
        // A folder in the way of the file: the rename fails after the temporary file was written and synced.
        let inTheWay = folder.path("validate.manifest.json")
        try FileManager.default.createDirectory(at: inTheWay, withIntermediateDirectories: false)
        try Data("kept".utf8).write(to: inTheWay.appendingPathComponent("inside.txt"))
        #expect(throws: FileFailure.self) { try DurableFiles.writeAtomically(Data("ours".utf8), to: inTheWay) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["validate.manifest.json"])
        #expect(try String(contentsOf: inTheWay.appendingPathComponent("inside.txt"), encoding: .utf8) == "kept")
    }
}

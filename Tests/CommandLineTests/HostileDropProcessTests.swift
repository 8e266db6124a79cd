import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// `flexyvisma-validate` as a child process on drops a hostile user would make: FIFOs, sockets,
/// links of the names the pipeline writes itself, hard links. Each is refused with its reason in
/// `rejected/`, validate returns, its lock is free, and nothing outside the root is written.
@Suite struct HostileDropProcessTests {
    /// A root made by `flexyvisma init`, validated offline against the sample company's snapshot.
    struct Venue: @unchecked Sendable {
        let folder: TemporaryFolder
        let root: PipelineRoot
        let reference: URL
        /// A folder outside the root that the links point into.
        let outside: URL

        init() throws {
            folder = try TemporaryFolder("flexyvisma-hostile")
            root = PipelineRoot(folder.path("venue"))
            let initialised = try ChildProcess.run(
                ChildProcess.executable("flexyvisma"), ["init", root.url.path, "--visma-url", "http://127.0.0.1:9"])
            #expect(initialised.status == 0, "\(initialised)")
            var configuration = try PipelineConfiguration.load(from: root)
            configuration.pipeline.settleSeconds = 0
            try configuration.encoded().write(to: root.configFile)
            reference = folder.path("reference-snapshot.json")
            try SampleVisma.reference().encoded().write(to: reference)
            outside = folder.path("outside")
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        }

        /// A dropped batch folder holding a plain payments file and whatever `fill` adds.
        func dropFolder(_ fill: (URL) throws -> Void) throws -> BatchID {
            let id = BatchID.make(at: Date())
            let folder = root.inboxFolder(id)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("payment_id,date,customer_number,payment_type,amount\n".utf8).write(
                to: folder.appendingPathComponent("payments.csv"))
            try fill(folder)
            return id
        }

        /// Runs validate; the deadline is only a safety net so that a hang fails the test instead of stalling the suite.
        func validate() throws -> ProcessResult? {
            let child = try ChildProcess.start(
                ChildProcess.executable("flexyvisma-validate"),
                ["--root", root.url.path, "--reference", reference.path])
            for _ in 0..<1200 where child.process.isRunning { usleep(100_000) }
            guard !child.process.isRunning else {
                child.kill()
                return nil
            }
            return child.result()
        }

        func why(_ name: String) throws -> String {
            try String(contentsOf: root.rejected.appendingPathComponent(name + ".why.txt"), encoding: .utf8)
        }

        /// The validate lock can be taken: the child let it go.
        func lockIsFree() -> Bool {
            (try? FileLock.acquire(StageLifecycle.lockFile(of: .validate, in: root), purpose: "test")) != nil
        }
    }

    static func fileType(_ url: URL) -> mode_t? {
        var status = stat()
        return lstat(url.path, &status) == 0 ? status.st_mode & S_IFMT : nil
    }

    static func mode(_ url: URL) -> mode_t? {
        var status = stat()
        return lstat(url.path, &status) == 0 ? status.st_mode & 0o7777 : nil
    }

    @Test func aFIFONamedItemsCsvInADroppedFolderIsRefusedAndValidateReturns() throws {
        let venue = try Venue()
        let id = try venue.dropFolder { folder in
            #expect(mkfifo(folder.appendingPathComponent("items.csv").path, 0o644) == 0)
        }
        let result = try #require(try venue.validate(), "validate hung on the FIFO")
        #expect(result.status == 65, "\(result)")
        #expect(Self.fileType(venue.root.rejected.appendingPathComponent("\(id)/items.csv")) == S_IFIFO)
        #expect(try venue.why(id.rawValue).contains("items.csv: it is a FIFO"))
        #expect(!FileManager.default.fileExists(atPath: venue.root.batchFolder(id).path))
        #expect(venue.lockIsFree())
        // Nothing was lost: the plain file went to rejected/ with its folder.
        #expect(
            FileManager.default.fileExists(
                atPath: venue.root.rejected.appendingPathComponent("\(id)/payments.csv").path))
        let again = try #require(try venue.validate())
        #expect(again.status == 0, "\(again)")
        #expect(again.standardOutput.contains("nothing to validate"))
    }

    @Test(arguments: ["report.txt", "reference.json", "validate.manifest.json", "items.csv", "pickup.json"])
    func aLinkOfAnyNameInADroppedFolderWritesNothingOutsideTheRoot(name: String) throws {
        let venue = try Venue()
        let missing = venue.outside.appendingPathComponent("created-\(name)")
        let existing = venue.outside.appendingPathComponent("existing-\(name)")
        try Data("untouched\n".utf8).write(to: existing)
        let id = try venue.dropFolder { folder in
            try FileManager.default.createSymbolicLink(
                atPath: folder.appendingPathComponent(name).path, withDestinationPath: missing.path)
            try FileManager.default.createSymbolicLink(
                atPath: folder.appendingPathComponent("x-" + name).path, withDestinationPath: existing.path)
        }
        let result = try #require(try venue.validate(), "validate hung")
        #expect(result.status == 65, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: missing.path))
        #expect(try String(contentsOf: existing, encoding: .utf8) == "untouched\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: venue.outside.path) == ["existing-\(name)"])
        let why = try venue.why(id.rawValue)
        #expect(why.contains("\(name): "), "\(why)")
        #expect(!FileManager.default.fileExists(atPath: venue.root.batchFolder(id).path))
        #expect(
            try FileManager.default.destinationOfSymbolicLink(
                atPath: venue.root.rejected.appendingPathComponent("\(id)/\(name)").path) == missing.path)
        #expect(venue.lockIsFree())
    }

    @Test func aHardLinkedFileIsRefusedAndTheOtherNameKeepsItsBytes() throws {
        let venue = try Venue()
        let elsewhere = venue.outside.appendingPathComponent("payments-original.csv")
        let text = "payment_id,date,customer_number,payment_type,amount\n"
        try Data(text.utf8).write(to: elsewhere)
        #expect(link(elsewhere.path, venue.root.inbox.appendingPathComponent("payments.csv").path) == 0)
        let result = try #require(try venue.validate())
        #expect(result.status == 65, "\(result)")
        #expect(try venue.why("payments.csv").contains("2 hard links"))
        #expect(FileManager.default.fileExists(atPath: venue.root.rejected.appendingPathComponent("payments.csv").path))
        #expect(venue.root.batchesInProgress().isEmpty)
        #expect(try String(contentsOf: elsewhere, encoding: .utf8) == text)
    }

    @Test func aSocketInADroppedFolderIsRefused() throws {
        let venue = try Venue()
        let id = try venue.dropFolder { folder in
            try Self.makeSocket(at: folder.appendingPathComponent("customers.csv"))
        }
        let result = try #require(try venue.validate())
        #expect(result.status == 65, "\(result)")
        #expect(try venue.why(id.rawValue).contains("customers.csv: it is a socket"))
        #expect(Self.fileType(venue.root.rejected.appendingPathComponent("\(id)/customers.csv")) == S_IFSOCK)
        #expect(venue.root.batchesInProgress().isEmpty)
    }

    @Test func aDroppedFolderThatIsALinkIsRefusedAndItsTargetUntouched() throws {
        let venue = try Venue()
        let target = venue.outside.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("payment_id,date,customer_number,payment_type,amount\n".utf8).write(
            to: target.appendingPathComponent("payments.csv"))
        let id = BatchID.make(at: Date())
        try FileManager.default.createSymbolicLink(
            atPath: venue.root.inboxFolder(id).path, withDestinationPath: target.path)
        let result = try #require(try venue.validate())
        #expect(result.status == 65, "\(result)")
        #expect(try venue.why(id.rawValue).contains("symbolic link"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["payments.csv"])
        #expect(venue.root.batchesInProgress().isEmpty)
    }

    @Test func createdFilesAndFoldersHaveTheModesOfThePermissionModel() throws {
        let venue = try Venue()
        let root = venue.root
        #expect(Self.mode(root.inbox) == 0o3770)
        for folder in [root.batches, root.archive, root.rejected] {
            #expect(Self.mode(folder) == 0o2750, "\(folder.path)")
        }
        #expect(Self.mode(root.state) == 0o750)
        for folder in [root.logs, root.secrets] { #expect(Self.mode(folder) == 0o700, "\(folder.path)") }
        #expect(Self.mode(root.secrets.appendingPathComponent("client-secret")) == 0o600)
        try Data("payment_id,date,customer_number,payment_type,amount\n".utf8).write(
            to: root.inbox.appendingPathComponent("payments.csv"))
        let result = try #require(try venue.validate())
        #expect(result.status == 0 || result.status == 65, "\(result)")
        let id = try #require(root.batchesInProgress().first)
        let batch = root.batchFolder(id)
        #expect(Self.mode(batch) == 0o2750)
        for name in ["payments.csv", "pickup.json", "report.txt", "reference.json", "validate.manifest.json"] {
            #expect(Self.mode(batch.appendingPathComponent(name)) == 0o640, "\(name)")
        }
        let logs = try FileManager.default.contentsOfDirectory(at: root.logs, includingPropertiesForKeys: nil)
        #expect(!logs.isEmpty)
        for log in logs { #expect(Self.mode(log) == 0o600, "\(log.path)") }
        for name in ["validate.lock", "history.sqlite"]
        where FileManager.default.fileExists(atPath: root.state.appendingPathComponent(name).path) {
            #expect(Self.mode(root.state.appendingPathComponent(name)) == 0o600, "\(name)")
        }
    }

    /// A listening-less UNIX socket file at `url`.
    static func makeSocket(at url: URL) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(url.path.utf8)
        try #require(path.count < MemoryLayout.size(ofValue: address.sun_path))
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
    }
}

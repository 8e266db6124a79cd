import Foundation

/// Why a batch re-exports days already booked (`flexyvisma repost`): written in its export manifest, it lets
/// validate accept those days for this batch only, and upload book the difference instead of creating them.
public struct RepostRequest: Codable, Sendable, Equatable {
    /// The operator's words (`--reason`).
    public var reason: String
    /// The operator's user name.
    public var requestedBy: String
    /// Only these FlexyBox departments' receipts; nil: every department.
    public var departments: [String]?

    public init(reason: String, requestedBy: String, departments: [String]? = nil) {
        self.reason = reason
        self.requestedBy = requestedBy
        self.departments = departments
    }
}

/// What a repost did with one day journal or customer payment, in the upload manifest.
public struct RepostedJournal: Codable, Sendable, Equatable {
    /// Our key (`POS20261123-1`), the journals' Ref. no.
    public var key: String
    /// `unchanged`, `updatedInPlace`, `reversedAndCorrected`, `corrected` or (a customer payment) `voidedAndEnteredAgain`.
    public var outcome: String
    public var sentence: String
    /// The journal that now holds the day: updated in place, or the correction.
    public var journal: String?
    public var reversal: String?

    public init(key: String, outcome: String, sentence: String, journal: String?, reversal: String?) {
        self.key = key
        self.outcome = outcome
        self.sentence = sentence
        self.journal = journal
        self.reversal = reversal
    }
}

extension RepostRequest {
    /// Where the export records a repost batch it made (`state/reposts/<batch>.json`): only the pipeline writes
    /// `state/`, so a batch dropped in the inbox with a manifest claiming to be a repost is not believed.
    public static func recordFile(of batch: BatchID, in root: PipelineRoot) -> URL {
        root.state.appendingPathComponent("reposts", isDirectory: true).appendingPathComponent("\(batch.rawValue).json")
    }

    /// Records the request for `batch`, before the batch is published.
    public func record(for batch: BatchID, in root: PipelineRoot) throws {
        let url = Self.recordFile(of: batch, in: root)
        try DurableFiles.makeFolders(url.deletingLastPathComponent(), mode: FileModes.privateFolder)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try DurableFiles.writeAtomically(try encoder.encode(self), to: url)
    }

    /// The batch's repost request: in its export manifest and recorded by the export in `state/`, the same in both.
    public static func verified(batch: BatchID, folder: URL, root: PipelineRoot) -> RepostRequest? {
        guard let claimed = StageManifest.read(.export, in: folder)?.export?.repost,
            let data = try? Data(contentsOf: recordFile(of: batch, in: root)), data.count < 65_536,
            let recorded = try? BoundedJSONDecoder.decode(RepostRequest.self, from: data), recorded == claimed
        else { return nil }
        return claimed
    }
}

extension RepostRequest {
    /// Why a `--reason` cannot be recorded: empty, over 500 characters, or holding control characters.
    public static func problem(reason: String) -> String? {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "--reason must say why the days are booked again" }
        // Counted as the manifest schema counts (code points).
        if reason.unicodeScalars.count > 500 {
            return "--reason is \(reason.unicodeScalars.count) characters; at most 500"
        }
        if reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "--reason must not hold control characters (line breaks, escapes)"
        }
        return nil
    }

    /// The operator's user name as the system knows it (never taken from the environment, which anyone can set).
    public static func operatorName() -> String {
        let name = NSUserName()
        return name.isEmpty ? "uid \(getuid())" : String(String.UnicodeScalarView(name.unicodeScalars.prefix(100)))
    }
}

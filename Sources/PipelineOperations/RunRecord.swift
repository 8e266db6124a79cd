import FlexyVismaCore
import Foundation

/// What the last runs did: `state/last-run.json`, read by `status`, metrics and notifications.
public struct RunRecord: Codable, Sendable, Equatable {
    public var startedAt: String
    public var finishedAt: String
    public var exitStatus: Int32
    public var summary: String
    public var durationSeconds: Double
    public var lastSuccessAt: String?
    /// Runs in a row that ended in a temporary failure (75).
    public var consecutiveTemporaryFailures: Int
    /// The halt (batch and time) a notification was last sent for, so each halt is told once.
    public var notifiedHalt: String?
    public var notifiedFailureStreak: Bool
    /// Records sent to Visma by the last run, per kind.
    public var recordsByKind: [String: Int]

    static func file(in root: PipelineRoot) -> URL { root.state.appendingPathComponent("last-run.json") }

    public static func load(from root: PipelineRoot) -> RunRecord? {
        guard let data = try? Data(contentsOf: file(in: root)) else { return nil }
        return try? JSONDecoder().decode(RunRecord.self, from: data)
    }

    func save(in root: PipelineRoot) throws {
        try DurableFiles.writeAtomically(try CanonicalJSON.encode(self), to: RunRecord.file(in: root))
    }
}

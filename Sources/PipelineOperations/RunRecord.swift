import FlexyVismaCore
import Foundation

/// What the last runs did: `state/last-run.json`, read by `status`, metrics and notifications.
public struct RunRecord: VersionedStateFile, Sendable, Equatable {
    public static let schemaVersion = 1

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

    /// What `notifiedHalt` holds for a halt: the same halt retried every night is told once.
    static func identity(of halt: HaltRecord) -> String {
        "\(halt.batchId)|\(halt.stage.rawValue)|\(halt.first?.message ?? "")"
    }

    static func file(in root: PipelineRoot) -> URL { root.state.appendingPathComponent("last-run.json") }

    /// The record, or nil when there is none or it cannot be read (the next run writes a new one);
    /// one from a newer version is refused.
    public static func load(from root: PipelineRoot) throws -> RunRecord? {
        do {
            return try StateFiles.read(RunRecord.self, from: file(in: root)) { $0 }
        } catch let newer as NewerStateFile {
            throw newer
        } catch {
            return nil
        }
    }

    func save(in root: PipelineRoot) throws {
        try StateFiles.write(self, to: RunRecord.file(in: root))
    }
}

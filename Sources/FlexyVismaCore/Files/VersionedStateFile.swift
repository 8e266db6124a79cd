import Foundation

/// A JSON file under `state/` that records the layout it was written in as `schemaVersion`.
///
/// A file without `schemaVersion` was written before versioning and is version 1. A file from a
/// newer FlexyVisma is refused rather than read: an older build would misread it, or overwrite it
/// with its own older layout. To change a layout, raise `schemaVersion` and teach `decode` the
/// older versions.
public protocol VersionedStateFile: Codable {
    /// The layout this build writes.
    static var schemaVersion: Int { get }

    /// Decodes a file written in layout `version` (1 up to `schemaVersion`).
    static func decode(_ data: Data, version: Int) throws -> Self
}

extension VersionedStateFile {
    public static func decode(_ data: Data, version: Int) throws -> Self {
        try BoundedJSONDecoder.decode(Self.self, from: data)
    }
}

/// A state file written by a newer FlexyVisma than this one (exit 78).
///
/// 78 and not 70: nothing is broken and a retry will not help; the installation does not match
/// the root, and a person fixes that by running the version that wrote it (or restoring a backup).
public struct NewerStateFile: PipelineFailure, Equatable {
    public var file: URL
    /// What in the file this version does not know, e.g. `schemaVersion 3` or `migration v2`.
    public var unknown: String

    public init(file: URL, unknown: String) {
        self.file = file
        self.unknown = unknown
    }

    public var exitStatus: ExitStatus { .configuration }

    public var description: String {
        "\(file.path) was written by a newer FlexyVisma (\(unknown), which this version does not know); "
            + "run the version that wrote it, or restore the root from a backup made with this version"
    }
}

/// Reads and writes `VersionedStateFile`s.
public enum StateFiles {
    /// The file's content, or nil when there is none.
    /// - Parameter damaged: the error to throw when the file cannot be read as `T`.
    public static func read<T: VersionedStateFile>(
        _ type: T.Type, from url: URL, damaged: (any Error) -> any Error
    ) throws -> T? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        let version: Int
        do {
            data = try Data(contentsOf: url)
            version = try BoundedJSONDecoder.decode(VersionField.self, from: data).schemaVersion ?? 1
        } catch {
            throw damaged(error)
        }
        guard version <= T.schemaVersion else {
            throw NewerStateFile(
                file: url, unknown: "schemaVersion \(version); this version reads up to \(T.schemaVersion)")
        }
        do {
            return try T.decode(data, version: version)
        } catch {
            throw damaged(error)
        }
    }

    /// Writes `value` atomically in the current layout, `schemaVersion` included.
    public static func write<T: VersionedStateFile>(_ value: T, to url: URL) throws {
        try DurableFiles.writeAtomically(try CanonicalJSON.encode(Versioned(value: value)), to: url)
    }

    private struct VersionField: Decodable {
        var schemaVersion: Int?
    }

    /// The value's own keys with `schemaVersion` beside them.
    private struct Versioned<T: VersionedStateFile>: Encodable {
        let value: T

        func encode(to encoder: any Encoder) throws {
            try value.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(T.schemaVersion, forKey: .schemaVersion)
        }

        enum Key: String, CodingKey { case schemaVersion }
    }
}

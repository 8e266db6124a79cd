import Foundation

/// The one JSON form FlexyVisma writes: pretty, key-sorted, slashes unescaped, a final newline.
///
/// Stable bytes for the same value, so that hashes of configs and manifests are stable too.
public enum CanonicalJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }
}

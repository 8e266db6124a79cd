import Foundation

extension PipelineConfiguration {
    /// The same settings with every optional one that has a default set to that default: what the stages act on.
    public var withDefaults: PipelineConfiguration {
        var copy = self
        copy.notifications.repeatWhileHalted = notifications.repeatsWhileHalted
        copy.notifications.metricsFile = notifications.effectiveMetricsFile
        copy.notifications.timeLimitSeconds = notifications.effectiveTimeLimitSeconds
        copy.pipeline.journalVat = pipeline.effectiveJournalVat
        copy.pipeline.onExisting = pipeline.effectiveOnExisting
        copy.pipeline.quantityDecimalPlaces = pipeline.effectiveQuantityDecimalPlaces
        return copy
    }

    /// `<root>/flexyvisma.json` as the pipeline reads it, for `flexyvisma config check`.
    ///
    /// Loaded and checked exactly as every command loads it; defaults filled in, and every setting
    /// left unset that has no default shown as null, so that the operator sees all there is to set.
    public static func effectiveDocument(root: PipelineRoot) throws -> Data {
        let (configuration, reading) = try read(from: root)
        var json = try JSONValue.parse(try configuration.withDefaults.encoded())
        for (steps, keys) in reading.objects {
            for key in keys { json.insertNullIfAbsent(at: steps[...], key: key) }
        }
        return try CanonicalJSON.encode(json)
    }
}

extension JSONValue {
    /// Sets `key` of the object at `steps` to null when it is not there; no change when the object is missing.
    fileprivate mutating func insertNullIfAbsent(at steps: ArraySlice<ConfigurationPath.Step>, key: String) {
        switch (self, steps.first) {
        case (.object(var members), nil):
            if members[key] == nil { members[key] = .null }
            self = .object(members)
        case (.object(var members), .key(let name)?):
            members[name]?.insertNullIfAbsent(at: steps.dropFirst(), key: key)
            self = .object(members)
        case (.array(var elements), .index(let index)?) where elements.indices.contains(index):
            elements[index].insertNullIfAbsent(at: steps.dropFirst(), key: key)
            self = .array(elements)
        default:
            break
        }
    }
}

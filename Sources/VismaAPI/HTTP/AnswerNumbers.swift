import Foundation

/// Numbers from Visma's headers and JSON, read so that a lying or broken server can neither trap the process
/// (`Int(Double.nan)`) nor make it sleep or page for ever.
public enum AnswerNumbers {
    /// The longest wait a header may ask for: Visma's rate window is an hour. Asked for longer (or for `nan`, `inf`, a
    /// negative or an epoch timestamp of the old scheme), the header is not believed; a 429 then ends the record unconfirmed (75).
    public static let longestWaitSeconds: Double = 3600
    /// The most pages one list is read in: Visma's lists of a venue's company are far shorter.
    public static let maximumPages = 2_000

    /// Seconds from a header (`Retry-After`, `X-RateLimit-Reset`): nil unless a finite number from 0 to `longestWaitSeconds`.
    public static func seconds(_ text: String?) -> Double? {
        guard let text, let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0,
            value <= longestWaitSeconds
        else { return nil }
        return value
    }

    /// A count from JSON (`totalCount`, `maxPageSize`): nil unless a whole number from 0 to `Int32.max`.
    public static func count(_ value: Double?) -> Int? {
        guard let value, value.isFinite, value >= 0, value <= Double(Int32.max) else { return nil }
        return Int(exactly: value)
    }
}

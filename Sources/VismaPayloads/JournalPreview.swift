import FlexyVismaCore
import Foundation

/// A journal as transform would make it from a receipts file: its debit and credit lines in øre.
///
/// Built by the same `JournalBuilder` as the payloads, so what `flexyvisma plan --journals` prints is
/// what the night books, line for line.
public struct JournalPreview: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var account: String
        public var text: String
        /// The VAT category on a revenue line and the VAT ID on a VAT line, as sent (journal VAT mode).
        public var vatCategory: String?
        public var vatId: String?
        public var debit: Int64
        public var credit: Int64
    }

    /// Our journal number (the Ref. no. on every line).
    public var number: String
    public var businessDay: String
    public var description: String
    public var branch: String?
    /// Visma's financial period, `YYYYPP`.
    public var period: String
    public var lines: [Line]

    public var debit: Int64 { lines.reduce(0) { $0 + $1.debit } }
    public var credit: Int64 { lines.reduce(0) { $0 + $1.credit } }

    /// The journals one receipts file becomes; none for a department not enabled for Visma.
    public static func journals(
        of receiptsFile: URL, configuration: PipelineConfiguration, reference: ReferenceSnapshot
    ) throws -> [JournalPreview] {
        try JournalBuilder(configuration: configuration, reference: reference).build(receiptsFile)?.previews ?? []
    }
}

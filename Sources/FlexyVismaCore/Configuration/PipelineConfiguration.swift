import Foundation

/// The venue's configuration, `<root>/flexyvisma.json` (DESIGN §5).
///
/// JSON because every stage, `jq` and an auditor can read it without another parser. Keys are
/// FlexyBox names (departments, VAT codes, item groups, payment types) mapped to Visma identifiers.
/// The client secret is never here: see `ClientSecret`.
public struct PipelineConfiguration: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var venue: Venue
    public var source: Source?
    public var visma: Visma
    public var pipeline: Pipeline
    public var departments: [String: Department]
    public var itemClasses: ItemClasses
    public var vatCodes: [String: VATCode]
    public var itemGroups: [String: ItemGroup]
    public var paymentTypes: [String: PaymentType]
    public var accounts: Accounts
    public var customers: CustomerRules
    public var notifications: Notifications

    public static let currentSchemaVersion = 1

    public struct Venue: Codable, Sendable, Equatable {
        public var name: String
        /// IANA zone in which business days are counted ("yesterday" for the nightly export).
        public var timeZone: String
    }

    public struct Source: Codable, Sendable, Equatable {
        /// Only `sqlite` for now: a FlexyBox database file.
        public var kind: String
        /// Absolute, or relative to the root.
        public var path: String
    }

    public struct Visma: Codable, Sendable, Equatable {
        public var baseURL: String
        public var tokenURL: String
        public var tenantId: String
        public var clientId: String
        public var scope: String
        /// Relative to the root; used when `FLEXYVISMA_CLIENT_SECRET` is not set. Must be mode 0600.
        public var clientSecretFile: String
    }

    public struct Pipeline: Codable, Sendable, Equatable {
        /// Seconds a hand-dropped file must keep its size and mtime before it is taken.
        public var settleSeconds: Int
        public var uploadParallelism: Int
        /// Release payments and journals after creating them (default false: a bookkeeper reviews first).
        public var releaseDocuments: Bool
        /// `dailyJournal` (one per business day and department) or `journalPerReceipt`.
        public var receiptsPosting: String
    }

    public struct Department: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var branch: String?
    }

    public struct ItemClasses: Codable, Sendable, Equatable {
        /// For raw materials and products without calculation.
        public var stock: String
        /// For products with calculation (kits).
        public var nonStock: String
    }

    public struct VATCode: Codable, Sendable, Equatable {
        public var ratePercent: Int
        public var vismaVatCategory: String
        public var vismaVatCode: String
        public var outputVatAccount: String
    }

    public struct ItemGroup: Codable, Sendable, Equatable {
        public var revenueAccount: String
    }

    public struct PaymentType: Codable, Sendable, Equatable {
        public var vismaPaymentMethod: String
        public var account: String
    }

    public struct Accounts: Codable, Sendable, Equatable {
        public var rounding: String
    }

    public struct CustomerRules: Codable, Sendable, Equatable {
        /// drop-file column names that this Visma company insists on.
        public var requiredFields: [String]
        public var defaultCustomerClass: String
    }

    public struct Notifications: Codable, Sendable, Equatable {
        /// Run with the status as JSON on stdin and a one-line summary as its argument, when a run
        /// halts or keeps failing.
        public var command: String?
        /// Notify on every run while still halted, not only once per halt (default false).
        public var repeatWhileHalted: Bool?
        /// Prometheus text file for the node-exporter textfile collector (default `state/metrics.prom`).
        public var metricsFile: String?
    }
}

extension PipelineConfiguration {
    /// Reads and checks the config; every problem is a configuration error (exit 78) naming the file.
    public static func load(from root: PipelineRoot) throws -> PipelineConfiguration {
        let url = root.configFile
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw OperatorMessage(
                .configuration,
                "no configuration at \(url.path): run `flexyvisma init \(root.url.path)` first")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw OperatorMessage(.configuration, "cannot read \(url.path): \(error.localizedDescription)")
        }
        let configuration: PipelineConfiguration
        do {
            configuration = try JSONDecoder().decode(PipelineConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw OperatorMessage(.configuration, "\(url.path): \(error.plainDescription)")
        }
        guard configuration.schemaVersion == currentSchemaVersion else {
            throw OperatorMessage(
                .configuration,
                "\(url.path): schemaVersion \(configuration.schemaVersion) is not supported (expected \(currentSchemaVersion))")
        }
        guard TimeZone(identifier: configuration.venue.timeZone) != nil else {
            throw OperatorMessage(
                .configuration, "\(url.path): venue.timeZone '\(configuration.venue.timeZone)' is not a known time zone")
        }
        return configuration
    }

    /// The config as written to disk: sorted keys, so that its hash is stable.
    public func encoded() throws -> Data {
        try CanonicalJSON.encode(self)
    }

    /// SHA-256 of the canonical encoding, recorded in every manifest.
    public func hash() throws -> String { try encoded().sha256Hex }

    public var timeZone: TimeZone { TimeZone(identifier: venue.timeZone) ?? TimeZone.current }
}

extension DecodingError {
    /// "missing key visma.tenantId" rather than Swift's debug dump.
    public var plainDescription: String {
        func path(_ context: Context, _ last: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            let joined = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "the top level" : joined
        }
        switch self {
        case .keyNotFound(let key, let context): return "missing key \(path(context, key))"
        case .typeMismatch(_, let context): return "wrong type at \(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "missing value at \(path(context))"
        case .dataCorrupted(let context): return "not valid JSON at \(path(context)): \(context.debugDescription)"
        @unknown default: return "not a valid configuration"
        }
    }
}

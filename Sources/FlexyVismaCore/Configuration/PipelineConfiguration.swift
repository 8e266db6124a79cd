import Foundation

/// The venue's configuration, `<root>/flexyvisma.json` (docs/ARCHITECTURE.md, "Configuration").
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
        public var timeZone: TimeZoneName
    }

    public struct Source: Codable, Sendable, Equatable {
        public var kind: SourceKind
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
        public var receiptsPosting: ReceiptsPosting
        /// How the day journals book output VAT (default `vatTransactions`).
        public var journalVat: JournalVat?
        /// The company's "quantity decimal places": kit component quantities are compared and sent rounded to it
        /// (default 2, Visma's default; 0–6).
        public var quantityDecimalPlaces: Int?
        /// What upload does when a create meets a record Visma already has whose FlexyBox fields differ (default `halt`).
        public var onExisting: OnExisting?

        public static let defaultQuantityDecimalPlaces = 2

        public init(
            settleSeconds: Int, uploadParallelism: Int, releaseDocuments: Bool, receiptsPosting: ReceiptsPosting,
            journalVat: JournalVat? = nil,
            quantityDecimalPlaces: Int? = nil, onExisting: OnExisting? = nil
        ) {
            self.settleSeconds = settleSeconds
            self.uploadParallelism = uploadParallelism
            self.releaseDocuments = releaseDocuments
            self.receiptsPosting = receiptsPosting
            self.journalVat = journalVat
            self.quantityDecimalPlaces = quantityDecimalPlaces
            self.onExisting = onExisting
        }

        /// `journalVat`, or its default.
        public var effectiveJournalVat: JournalVat { journalVat ?? .vatTransactions }

        /// `quantityDecimalPlaces`, or its default.
        public var effectiveQuantityDecimalPlaces: Int { quantityDecimalPlaces ?? Self.defaultQuantityDecimalPlaces }

        /// `onExisting`, or its default.
        public var effectiveOnExisting: OnExisting { onExisting ?? .halt }
    }

    public struct Department: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var branch: String?
        /// The Visma warehouse the department's purchase order lines receive into.
        public var warehouse: String? = nil
    }

    public struct ItemClasses: Codable, Sendable, Equatable {
        /// For raw materials and products without calculation.
        public var stock: String
        /// For products with calculation (kits).
        public var nonStock: String
    }

    public struct VATCode: Codable, Sendable, Equatable {
        public var ratePercent: Int
        /// The VAT category the revenue (taxable) lines carry.
        public var vismaVatCategory: String
        /// The VAT ID the VAT line carries.
        public var vismaVatCode: String
        /// Optional: with VAT transactions the VAT line must be on the VAT ID's payable account in Visma,
        /// so when set it must name that account (validation says so); needed only with `plainLedgerNoVatReport`
        /// when Visma names no payable account.
        public var outputVatAccount: String?

        public init(ratePercent: Int, vismaVatCategory: String, vismaVatCode: String, outputVatAccount: String? = nil) {
            self.ratePercent = ratePercent
            self.vismaVatCategory = vismaVatCategory
            self.vismaVatCode = vismaVatCode
            self.outputVatAccount = outputVatAccount
        }
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
        /// Optional `customers.csv` columns that this Visma company insists on.
        public var requiredFields: [CustomerField]
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
        /// Seconds the command may take before it is stopped (default 60): a hung notifier never holds the night.
        public var timeLimitSeconds: Int? = nil

        public static let defaultMetricsFile = "state/metrics.prom"

        /// `repeatWhileHalted`, or its default.
        public var repeatsWhileHalted: Bool { repeatWhileHalted ?? false }
        /// `metricsFile`, or its default; relative to the root.
        public var effectiveMetricsFile: String { metricsFile ?? Self.defaultMetricsFile }
        /// `timeLimitSeconds`, or its default.
        public var effectiveTimeLimitSeconds: Int { timeLimitSeconds ?? 60 }
    }
}

extension PipelineConfiguration {
    /// Reads and checks the config; every problem is a configuration error (exit 78) naming the file.
    ///
    /// Every command loads it here, so that an unknown key, a misspelt value or a value out of range
    /// is refused before anything runs, not when a stage first reaches the setting.
    public static func load(from root: PipelineRoot) throws -> PipelineConfiguration {
        try read(from: root).configuration
    }

    static func read(
        from root: PipelineRoot
    ) throws -> (configuration: PipelineConfiguration, reading: StrictJSONDecoder.Reading) {
        let url = root.configFile
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw OperatorMessage(
                .configuration,
                "no configuration at \(url.path): run `flexyvisma init \(root.url.path)` first")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(try Data(contentsOf: url))
        } catch let error as JSONSyntaxError {
            throw OperatorMessage(.configuration, "\(url.path): \(error)")
        } catch {
            throw OperatorMessage(.configuration, "cannot read \(url.path): \(error.localizedDescription)")
        }
        // A future version's keys would all read as unknown: say what is really wrong.
        if let version = json["schemaVersion"]?.numberValue, version != Double(currentSchemaVersion) {
            throw OperatorMessage(
                .configuration,
                "\(url.path): schemaVersion \(Int64(exactly: version).map(String.init) ?? "\(version)") is not supported (expected \(currentSchemaVersion))"
            )
        }
        do {
            let (configuration, reading) = try StrictJSONDecoder.decodeReading(PipelineConfiguration.self, from: json)
            let problems = configuration.valueProblems
            guard problems.isEmpty else { throw ConfigurationProblems(problems) }
            return (configuration, reading)
        } catch let problems as ConfigurationProblems {
            throw problems.operatorMessage(file: url)
        }
    }

    /// Values of the right type that the pipeline still cannot work with.
    var valueProblems: [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        for (path, text) in [("visma.baseURL", visma.baseURL), ("visma.tokenURL", visma.tokenURL)] {
            if let problem = VismaEndpointRule.problem(text) {
                problems.append(ConfigurationProblem(path: path, message: problem))
            }
        }
        if pipeline.settleSeconds < 0 {
            problems.append(
                ConfigurationProblem(
                    path: "pipeline.settleSeconds", message: "must be 0 or more, not \(pipeline.settleSeconds)"))
        }
        if pipeline.uploadParallelism < 1 {
            problems.append(
                ConfigurationProblem(
                    path: "pipeline.uploadParallelism", message: "must be 1 or more, not \(pipeline.uploadParallelism)")
            )
        }
        if let places = pipeline.quantityDecimalPlaces, !(0...6).contains(places) {
            problems.append(
                ConfigurationProblem(
                    path: "pipeline.quantityDecimalPlaces", message: "must be between 0 and 6, not \(places)"))
        }
        if let limit = notifications.timeLimitSeconds, !(1...3600).contains(limit) {
            problems.append(
                ConfigurationProblem(
                    path: "notifications.timeLimitSeconds", message: "must be between 1 and 3600, not \(limit)"))
        }
        for (code, vat) in vatCodes.sorted(by: { $0.key < $1.key }) where !(0...100).contains(vat.ratePercent) {
            problems.append(
                ConfigurationProblem(
                    path: "vatCodes.\(code).ratePercent", message: "must be between 0 and 100, not \(vat.ratePercent)"))
        }
        return problems
    }

    /// The config as written to disk: sorted keys, so that its hash is stable.
    public func encoded() throws -> Data {
        try CanonicalJSON.encode(self)
    }

    /// SHA-256 of the canonical encoding, recorded in every manifest.
    public func hash() throws -> String { try encoded().sha256Hex }

    public var timeZone: TimeZone { venue.timeZone.timeZone ?? TimeZone.current }
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

/// How receipts become journal transactions in Visma.
public enum ReceiptsPosting: String, ConfigurationChoice {
    /// One journal per business day and department.
    case dailyJournal
    case journalPerReceipt
}

/// How the day journals book output VAT in Visma.
/// A create that meets a record Visma already has, with FlexyBox fields that differ from ours.
public enum OnExisting: String, ConfigurationChoice {
    /// Halt showing both versions: someone else (FlexyBox's own integration, a person) made that record.
    case halt
    /// Take the record as ours and send our fields over it (a venue moving over from FlexyBox's own integration).
    case adoptAndUpdate
}

public enum JournalVat: String, ConfigurationChoice {
    /// VAT transactions ("Create VAT transactions"): the VAT reaches Visma's VAT report. Needs the
    /// company functionality "VAT entry from general ledger".
    case vatTransactions
    /// Plain ledger lines on the VAT account, for a company without that functionality: the VAT is
    /// booked but never reaches Visma's VAT report, so the bookkeeper must report it by hand.
    case plainLedgerNoVatReport
}

/// Where `flexyvisma-export` reads the venue's data.
public enum SourceKind: String, ConfigurationChoice {
    /// A FlexyBox SQLite database file.
    case sqlite
}

/// The optional `customers.csv` columns (`Schemas/customers.columns.json`), which a Visma company may require.
public enum CustomerField: String, ConfigurationChoice {
    case addressLine1 = "address_line1"
    case addressLine2 = "address_line2"
    case postalCode = "postal_code"
    case city
    /// Defaults to DK when empty, so requiring it asks nothing of the file.
    case country
    case email
    case phone
    case vatNumber = "vat_number"
    case customerClass = "customer_class"
}

/// An IANA time zone name, checked when the configuration loads.
public struct TimeZoneName: Codable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var identifier: String

    public init(_ identifier: String) { self.identifier = identifier }
    public init(stringLiteral value: String) { self.init(value) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard TimeZone(identifier: text) != nil else {
            throw ConfigurationProblem(
                at: decoder.codingPath,
                "'\(text)' is not a known time zone\(NearestName.didYouMean(text, in: TimeZone.knownTimeZoneIdentifiers))"
            )
        }
        identifier = text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(identifier)
    }

    public var timeZone: TimeZone? { TimeZone(identifier: identifier) }
    public var description: String { identifier }
}

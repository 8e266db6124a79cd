@_exported import DropFormats
@_exported import FlexyVismaCore
@_exported import Foundation
@_exported import VismaAPI

/// A temporary folder made once per fuzzing process; each input's files are written into it and removed again.
public final class FuzzWorkspace: Sendable {
    public let url: URL

    public init(_ name: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "flexyvisma-\(name)-\(getpid())", isDirectory: true)
        try? FileManager.default.removeItem(at: base)
        do {
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        } catch {
            fatalError("cannot create the fuzz workspace \(base.path): \(error)")
        }
        url = base
    }

    /// A fresh, empty subfolder `name` (whatever the previous input left in it is removed).
    public func freshFolder(_ name: String) -> URL {
        let folder = url.appendingPathComponent(name, isDirectory: true)
        try? FileManager.default.removeItem(at: folder)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Writes `bytes` to `name` in `folder`; a failed write is the harness's fault, not a finding.
    public func write(_ bytes: Data, to name: String, in folder: URL) -> URL {
        let file = folder.appendingPathComponent(name)
        do {
            try bytes.write(to: file)
        } catch {
            fatalError("cannot write \(file.path): \(error)")
        }
        return file
    }
}

/// The fixed world the drop-file rules check against: the sample venue's configuration and its Visma company.
public enum FuzzFixture {
    /// `Schemas/` of the repository: `$FLEXYVISMA_SCHEMAS`, else found from this source file (`Fuzz/Sources/FuzzSupport/`).
    public static let schemas: SchemaDirectory = {
        if let configured = ProcessInfo.processInfo.environment[SchemaDirectory.environmentVariable],
            !configured.isEmpty
        {
            return SchemaDirectory(url: URL(fileURLWithPath: configured, isDirectory: true))
        }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return SchemaDirectory(url: repository.appendingPathComponent("Schemas", isDirectory: true))
    }()

    public static let configuration = PipelineConfiguration.sampleVenue(sourcePath: "flexybox.sqlite")

    /// The sample company as `visma-simulator --company sample` holds it, with a few of the sample items and customers.
    public static let reference = ReferenceSnapshot(
        fetchedAt: "2026-11-29T06:00:00.000Z", source: "fuzz",
        itemClasses: [
            .init(id: "LAGER", type: "FinishedGoodItem"), .init(id: "RAAVARE", type: "ComponentPartItem"),
            .init(id: "IKKELAGER", type: "NonStockItem"), .init(id: "SERVICE", type: "ServiceItem"),
        ],
        units: ["STK", "KG", "L", "PAK", "KASSE"],
        vatCategories: [.init(id: "1", active: true), .init(id: "3", active: true)],
        paymentMethods: [
            .init(id: "KONTANT", description: "Kontant", active: true),
            .init(id: "DANKORT", description: "Dankort", active: true),
            .init(id: "KORT", description: "Visa/Mastercard", active: true),
            .init(id: "MOBILEPAY", description: "MobilePay", active: true),
            .init(id: "GAVEKORT", description: "Gavekort", active: true),
            .init(id: "SWIPP", description: "Swipp", active: false),
        ],
        suppliers: [
            .init(number: "50001", name: "Hørkram A/S", active: true),
            .init(number: "50003", name: "Carlsberg Danmark A/S", active: true),
            .init(number: "50007", name: "Vinhuset Ribe", active: false),
        ],
        customerClasses: ["DK", "PRIVAT", "ERHVERV"],
        branches: [
            .init(number: "1", active: true), .init(number: "2", active: true), .init(number: "3", active: false),
        ],
        financialPeriods: periods,
        items: [
            .init(number: "1001", itemClass: "LAGER", stockItem: true, kitItem: false),
            .init(number: "2001", itemClass: "LAGER", stockItem: true, kitItem: false),
            .init(number: "3001", itemClass: "IKKELAGER", stockItem: false, kitItem: true),
            .init(number: "9001", itemClass: "RAAVARE", stockItem: true, kitItem: false),
        ],
        customers: [.init(number: "10001"), .init(number: "10002", name: "Odense Bowlingklub")],
        vats: [
            .init(id: "U25", payableAccount: "7200", ratePercent: 25),
            .init(id: "U0", payableAccount: "7200", ratePercent: 0),
        ])

    /// Calendar months of 2025–2027; October 2026 closed in the general ledger, September 2026 inactive.
    static var periods: [ReferenceSnapshot.FinancialPeriod] {
        var periods: [ReferenceSnapshot.FinancialPeriod] = []
        for year in 2025...2027 {
            for month in 1...12 {
                let days = [31, year % 4 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
                let mm = month < 10 ? "0\(month)" : "\(month)"
                periods.append(
                    .init(
                        period: "\(year)\(mm)", year: year, startDate: "\(year)-\(mm)-01",
                        endDate: "\(year)-\(mm)-\(days)",
                        active: !(year == 2026 && month == 9), closedInGeneralLedger: year == 2026 && month == 10))
            }
        }
        return periods
    }
}

/// The bytes libFuzzer hands over.
public struct FuzzInput {
    public let bytes: UnsafeBufferPointer<UInt8>

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = UnsafeBufferPointer(start: size > 0 ? data : nil, count: size > 0 ? size : 0)
    }

    /// The first byte picks a variant (`nil` for an empty input); the rest is the payload.
    public func split(variants: Int) -> (variant: Int, payload: Data)? {
        guard let first = bytes.first else { return nil }
        return (Int(first) % variants, Data(bytes.dropFirst()))
    }

    public var data: Data { Data(bytes) }
}

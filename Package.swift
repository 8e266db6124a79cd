// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "FlexyVisma",
    products: [
        .executable(name: "flexyvisma", targets: ["flexyvisma"]),
        .executable(name: "flexyvisma-export", targets: ["flexyvisma-export"]),
        .executable(name: "flexyvisma-validate", targets: ["flexyvisma-validate"]),
        .executable(name: "flexyvisma-transform", targets: ["flexyvisma-transform"]),
        .executable(name: "flexyvisma-upload", targets: ["flexyvisma-upload"]),
        .executable(name: "visma-simulator", targets: ["visma-simulator"]),
        // Only for the libFuzzer package under Fuzz/, which depends on this one by path and can link library
        // products only (it cannot share a build with the @main executables: -sanitize=fuzzer brings its own main).
        .library(
            name: "FlexyVismaFuzzSurface",
            targets: ["FlexyVismaCore", "DropFormats", "DropValidation", "VismaAPI", "VismaUpload"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Only the core server: no swift-configuration, no extra Foundation features.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // Hummingbird's own dependencies, named because the simulator's server code uses their types.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
    ],
    targets: [
        // System libraries (headers from Debian's libxml2-dev and libcurl4-openssl-dev).
        .systemLibrary(
            name: "CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),

        .systemLibrary(name: "CProcessControl"),
        // Vouchers (bilag) are drawn with cairo (Debian libcairo2-dev) in DejaVu Sans (fonts-dejavu-core).
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),

        // Libraries: one per concern.
        .target(
            name: "FlexyVismaCore",
            dependencies: [
                "CProcessControl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "DropFormats", dependencies: ["FlexyVismaCore"]),
        .target(name: "XMLSupport", dependencies: ["CLibXML2"]),
        .target(
            name: "FlexyBoxExport",
            dependencies: [
                "FlexyVismaCore", "DropFormats",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "DropValidation",
            dependencies: [
                "FlexyVismaCore", "DropFormats", "XMLSupport", "StateStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The Visma API client: libcurl, OAuth, paging, error shapes, typed DTOs. The simulator never imports it.
        .target(name: "VismaAPI", dependencies: ["CCurl", "FlexyVismaCore"]),
        .target(
            name: "VismaPayloads",
            dependencies: ["FlexyVismaCore", "DropFormats", "XMLSupport", "VismaAPI", "VoucherReport"]),
        // The one-page PDF day report attached to every day journal in Visma.
        .target(name: "VoucherReport", dependencies: ["FlexyVismaCore", "DropFormats", "CCairo"]),
        // The SQLite databases under state/ (their migrations, the upload ledger): GRDB without HTTP,
        // so upload, validation and the operations commands share them.
        .target(name: "StateStore", dependencies: ["FlexyVismaCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "VismaUpload",
            dependencies: [
                "FlexyVismaCore", "VismaAPI", "VismaPayloads", "StateStore",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "VismaSimulator",
            dependencies: [
                "FlexyVismaCore", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // `flexyvisma doctor`: the Visma company checked against the configuration and the waiting batches, read-only.
        .target(name: "CompanyCheck", dependencies: ["FlexyVismaCore", "DropFormats", "XMLSupport", "VismaAPI"]),
        .target(
            name: "PipelineOperations",
            dependencies: [
                "FlexyVismaCore", "DropFormats", "FlexyBoxExport", "VismaPayloads", "StateStore",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // `flexyvisma audit reconcile`: what Visma holds read back (GETs only) and compared with the ledger and the archive.
        .target(
            name: "Reconciliation",
            dependencies: ["FlexyVismaCore", "VismaAPI", "VismaPayloads", "StateStore", "PipelineOperations"]),
        .target(
            name: "FlexyVismaCommands",
            dependencies: [
                "FlexyVismaCore", "DropFormats", "FlexyBoxExport", "DropValidation", "XMLSupport", "VismaAPI",
                "VismaPayloads",
                "VismaUpload", "PipelineOperations", "CompanyCheck", "Reconciliation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Executables: @main and argument parsing only.
        .executableTarget(name: "flexyvisma", dependencies: ["FlexyVismaCommands"]),
        .executableTarget(name: "flexyvisma-export", dependencies: ["FlexyVismaCommands"]),
        .executableTarget(name: "flexyvisma-validate", dependencies: ["FlexyVismaCommands"]),
        .executableTarget(name: "flexyvisma-transform", dependencies: ["FlexyVismaCommands"]),
        .executableTarget(name: "flexyvisma-upload", dependencies: ["FlexyVismaCommands"]),
        .executableTarget(
            name: "visma-simulator",
            dependencies: [
                "VismaSimulator", "FlexyVismaCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Tests.
        .target(
            name: "TestSupport",
            dependencies: [
                "FlexyVismaCore", "VismaSimulator", "VismaAPI", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/TestSupport"),
        .testTarget(name: "FlexyVismaCoreTests", dependencies: ["FlexyVismaCore", "TestSupport"]),
        .testTarget(
            name: "DropFormatsTests", dependencies: ["DropFormats", "FlexyVismaCore", "XMLSupport", "TestSupport"]),
        .testTarget(name: "XMLSupportTests", dependencies: ["XMLSupport", "TestSupport"]),
        .testTarget(name: "VoucherReportTests", dependencies: ["VoucherReport", "FlexyVismaCore", "TestSupport"]),
        .testTarget(
            name: "FlexyBoxExportTests",
            dependencies: [
                "FlexyBoxExport", "DropFormats", "XMLSupport", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "DropValidationTests",
            dependencies: [
                "DropValidation", "FlexyVismaCore", "TestSupport", "VismaAPI", "VismaSimulator",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "UploadTests",
            dependencies: [
                "VismaAPI", "VismaUpload", "VismaPayloads", "DropValidation", "FlexyBoxExport", "FlexyVismaCore",
                "TestSupport", "PipelineOperations", "StateStore",
                "VismaSimulator", "DropFormats", "CompanyCheck", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "VismaSimulatorTests",
            dependencies: ["VismaSimulator", "VismaAPI", "TestSupport", "FlexyVismaCore"]),
        .testTarget(
            name: "VismaAPITests",
            dependencies: ["VismaAPI", "VismaSimulator", "TestSupport", "FlexyVismaCore", "CompanyCheck"]),
        .testTarget(
            name: "CommandLineTests",
            dependencies: [
                "FlexyVismaCommands", "PipelineOperations", "CompanyCheck", "VismaAPI", "VismaSimulator", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)

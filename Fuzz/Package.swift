// swift-tools-version: 6.1
import PackageDescription

/// libFuzzer targets on the stages' real entry points (issue 13, item 8). A package of its own: it is built with
/// `-sanitize=fuzzer,address` (see `Scripts/fuzz`), whose libFuzzer `main` clashes with the main package's `@main`
/// executables, so only the main package's libraries are linked here.
let surface = Target.Dependency.product(name: "FlexyVismaFuzzSurface", package: "FlexyVisma")

let package = Package(
    name: "FlexyVismaFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "FlexyVisma", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [surface]),
        .executableTarget(name: "fuzz-csv", dependencies: ["FuzzSupport", surface]),
        .executableTarget(name: "fuzz-xml", dependencies: ["FuzzSupport", surface]),
        .executableTarget(name: "fuzz-json", dependencies: ["FuzzSupport", surface]),
        .executableTarget(name: "fuzz-number", dependencies: ["FuzzSupport", surface]),
        .executableTarget(name: "fuzz-manifest-config", dependencies: ["FuzzSupport", surface]),
    ],
    swiftLanguageModes: [.v6]
)

@_spi(Fuzzing) import DropValidation
import FuzzSupport

/// One CSV drop file through validation's column checks and rules; the first byte picks the file type.
private let workspace = FuzzWorkspace("fuzz-csv")
private let kinds: [DropFileType] = [.items, .customers, .payments]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let (variant, payload) = FuzzInput(data, size).split(variants: kinds.count) else { return 0 }
    let folder = workspace.freshFolder("batch")
    _ = workspace.write(payload, to: "\(kinds[variant].rawValue).csv", in: folder)
    _ = try? BatchFolderCheck.findings(
        folder: folder, schemas: FuzzFixture.schemas, configuration: FuzzFixture.configuration,
        reference: FuzzFixture.reference)
    return 0
}

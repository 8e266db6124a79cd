@_spi(Fuzzing) import DropValidation
import FuzzSupport

/// One XML drop file through its XSD and validation's receipt, calculation and purchase-order rules; the first byte picks the file type.
private let workspace = FuzzWorkspace("fuzz-xml")
private let kinds: [DropFileType] = [.receipts, .calculations, .purchaseOrders]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let (variant, payload) = FuzzInput(data, size).split(variants: kinds.count) else { return 0 }
    let folder = workspace.freshFolder("batch")
    _ = workspace.write(payload, to: "\(kinds[variant].rawValue).xml", in: folder)
    _ = try? BatchFolderCheck.findings(
        folder: folder, schemas: FuzzFixture.schemas, configuration: FuzzFixture.configuration,
        reference: FuzzFixture.reference)
    return 0
}

import FuzzSupport

/// Stage manifests and the configuration file as the stages read them; the first byte picks which.
///
/// A manifest that decodes must encode and decode to itself. A configuration is loaded as every command loads
/// it (`PipelineConfiguration.load`: parse, strict keys, value checks); one that loads must encode and load again.
private let workspace = FuzzWorkspace("fuzz-manifest-config")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifestConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let (variant, payload) = FuzzInput(data, size).split(variants: 3) else { return 0 }
    switch variant {
    case 0:
        if let manifest = try? StageManifest.decode(payload) {
            guard let encoded = try? manifest.encoded(), let again = try? StageManifest.decode(encoded),
                again == manifest
            else {
                fatalError("a manifest that decodes does not survive encoding")
            }
        }
    case 1:
        let root = PipelineRoot(workspace.freshFolder("root"))
        _ = workspace.write(payload, to: PipelineRoot.configFileName, in: root.url)
        if let configuration = try? PipelineConfiguration.load(from: root) {
            _ = try? PipelineConfiguration.effectiveDocument(root: root)
            guard let encoded = try? configuration.encoded() else {
                fatalError("a loaded configuration does not encode")
            }
            _ = workspace.write(encoded, to: PipelineRoot.configFileName, in: root.url)
            guard (try? PipelineConfiguration.load(from: root)) == configuration else {
                fatalError("a loaded configuration does not load again once written")
            }
        }
    default:
        let file = workspace.write(payload, to: "reference.json", in: workspace.url)
        _ = try? ReferenceSnapshot.load(from: file)
    }
    return 0
}

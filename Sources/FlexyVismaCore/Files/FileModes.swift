import Foundation
import Glibc

/// The permission model of a pipeline root (docs/SECURITY.md): owner-only unless named here.
public enum FileModes {
    /// Every stage process runs with this umask: whatever is not given a mode below is owner-only.
    public static let processUmask: mode_t = 0o077
    /// The root, `batches/`, `archive/`, `rejected/` and each batch folder: the readers' group may list and read.
    public static let sharedFolder: mode_t = 0o2750
    /// Drop copies, reports, manifests, `.why.txt`, the metrics file: readable by the readers' group.
    public static let sharedFile: mode_t = 0o640
    /// `inbox/`: the droppers' group may create entries; sticky, so none can remove or replace another's drop.
    public static let inbox: mode_t = 0o3770
    /// `state/`: listable by the readers' group for the metrics file; everything in it but that is 0600.
    public static let stateFolder: mode_t = 0o750
    /// `secrets/`, `logs/`, `payloads/`: owner only.
    public static let privateFolder: mode_t = 0o700
    /// The client secret, ledger and state files, payloads, logs.
    public static let privateFile: mode_t = 0o600

    /// Sets the process umask of the model; call once at the start of every executable.
    public static func applyProcessUmask() {
        umask(processUmask)
    }

    /// The mode `init` gives each folder of the root.
    public static func mode(of folder: URL, in root: PipelineRoot) -> mode_t {
        switch folder {
        case root.inbox: inbox
        case root.state: stateFolder
        case root.logs, root.secrets: privateFolder
        default: sharedFolder
        }
    }
}

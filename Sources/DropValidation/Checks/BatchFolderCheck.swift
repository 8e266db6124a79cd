import DropFormats
import FlexyVismaCore
import Foundation

/// The file checks and rules of validation on one batch folder, without the stage around them (no pickup, lock,
/// manifest or history): the entry point the fuzz targets under `Fuzz/` drive.
@_spi(Fuzzing)
public enum BatchFolderCheck {
    /// Errors, then warnings, that validation finds in `folder` against `configuration` and `reference`.
    public static func findings(
        folder: URL, schemas: SchemaDirectory, configuration: PipelineConfiguration, reference: ReferenceSnapshot
    ) throws -> [Finding] {
        let context = ValidationContext(configuration: configuration, reference: reference, history: HistorySnapshot())
        let result = try BatchValidator(folder: folder, schemas: schemas, context: context).run()
        return result.findings.errors + result.findings.warnings
    }
}

import ArgumentParser
import DropFormats
import FlexyVismaCore
import Foundation

extension DropFileType: ExpressibleByArgument {}
extension DropTemplate.Dialect: ExpressibleByArgument {}

/// `flexyvisma template <file type> [--example] [--output FILE]`: a drop file to fill in by hand.
struct TemplateSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract:
            "Write a drop file with the right header (and with --example one valid record), as FlexyBox's \"Skriv skabelon\".",
        discussion: """
            CSV in the Danish Excel dialect by default (semicolon, decimal comma, UTF-8 BOM); XML with its namespace. \
            The example uses the configuration's item groups, VAT codes, payment types and departments; its item, customer \
            and supplier (EX-1001, EX-2001, "Eksempel Leverandør A/S") must exist in Visma or in the same drop. \
            Fill it in and drop it into the root's inbox/ as <type>[-anything].csv|xml.
            """)

    @OptionGroup var options: RootOptions

    @Argument(
        help: ArgumentHelp(
            "The file type: \(DropFileType.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "file-type"))
    var type: DropFileType

    @Flag(name: .long, help: "Add one valid example record.")
    var example = false

    @Option(name: .long, help: "Write the file here (never over an existing file); default: stdout.")
    var output: String?

    @Option(name: .long, help: "CSV dialect: danish-excel (';', decimal comma) or standard (',', decimal point).")
    var dialect: DropTemplate.Dialect = .danishExcel

    @Flag(inversion: .prefixedNo, help: "Start a CSV file with a UTF-8 byte order mark (default: with danish-excel).")
    var bom: Bool?

    func run() throws {
        try options.run("flexyvisma template") { _, configuration in
            let template = DropTemplate(type: type, configuration: configuration, dialect: dialect, byteOrderMark: bom)
            let data = try template.render(example: example, schemas: try SchemaDirectory.locate())
            guard let output else {
                StandardStream.output(Array(data))
                return .success
            }
            let url = URL(fileURLWithPath: output)
            if FileManager.default.fileExists(atPath: url.path)
                || (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) != nil
            {
                throw OperatorMessage(.usage, "\(output) exists; the template is never written over a file")
            }
            try DurableFiles.write(data, to: url, permissions: FileModes.sharedFile, exclusive: true)
            print(
                "wrote \(output): \(type.rawValue).\(type.fileExtension) template\(example ? " with an example" : "")")
            return .success
        }
    }
}

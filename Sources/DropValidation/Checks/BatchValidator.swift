import DropFormats
import FlexyVismaCore
import Foundation
import XMLSupport

/// Everything validation learned about one batch.
struct BatchValidation {
    var findings = FindingList()
    var inputs: [FileRecord] = []
    var counts: [String: Int] = [:]
    var itemKinds: [String: String] = [:]
    var kitProducts: Set<String> = []
    var receiptDays: [(day: String, department: String)] = []
    var skippedFiles: [String] = []
}

/// Validates every file of a batch folder against `Schemas/`, the configuration, the Visma
/// reference snapshot and earlier batches; all findings, not only the first.
struct BatchValidator {
    let folder: URL
    let schemas: SchemaDirectory
    let context: ValidationContext

    /// Files the pipeline itself writes into a batch folder.
    static func isOwnFile(_ name: String) -> Bool {
        StageManifest.isManifestFile(name) || name == "pickup.json"
            || name.hasPrefix("reference.") || name.hasPrefix("report.")
    }

    func run() throws -> BatchValidation {
        var result = BatchValidation()
        let files = try listDropFiles(&result)
        var digests: [String: FileDigest] = [:]
        // The pickup hashed each file as it copied it: the copy's hash, with no window to re-read.
        let copied = PickupRecord.digests(in: folder)
        for (name, type) in files {
            let digest = try copied[name] ?? DurableFiles.digest(of: folder.appendingPathComponent(name))
            digests[name] = digest
            result.inputs.append(FileRecord(path: name, digest: digest, fileType: type.rawValue))
        }
        try checkExportManifest(files: files, digests: digests, result: &result)
        let batch = BatchFiles(folder: folder, files: files)

        // Which products have a calculation in this batch: needed before the items' class rule.
        result.kitProducts = batchKitProducts(batch)
        let kitProducts = result.kitProducts.union(context.history.kitProducts)
            .union(context.vismaItems.values.filter(\.kitItem).map(\.number))
        let batchItems = try checkItems(batch, kitProducts: kitProducts, result: &result)
        for (name, url) in batch.urls(.calculations) {
            var rules = CalculationRules(context: context, batchItems: batchItems, file: name)
            try XMLFileCheck(schema: try schema(.calculations), fileName: name)
                .run(url: url, recordElement: "calculation", findings: &result.findings) {
                    rules.handle($0, pending: &$1)
                }
            result.counts["calculations", default: 0] += rules.count
        }
        try checkCustomersAndPayments(batch, result: &result)
        for (name, url) in batch.urls(.purchaseOrders) {
            var rules = PurchaseOrderRules(
                context: context, batchItems: batchItems, kitProducts: kitProducts, file: name)
            try XMLFileCheck(schema: try schema(.purchaseOrders), fileName: name)
                .run(url: url, recordElement: "purchaseOrder", findings: &result.findings) {
                    rules.handle($0, pending: &$1)
                }
            result.counts["purchase_orders", default: 0] += rules.count
        }
        try checkReceipts(batch, result: &result)
        result.counts["files.skipped"] = result.skippedFiles.isEmpty ? nil : result.skippedFiles.count
        return result
    }

    /// The drop files of the batch by type, in the order they were listed.
    private struct BatchFiles {
        let folder: URL
        let files: [(String, DropFileType)]

        func urls(_ type: DropFileType) -> [(String, URL)] {
            files.filter { $0.1 == type }.map { ($0.0, folder.appendingPathComponent($0.0)) }
        }
    }

    /// The products the batch's calculations are for.
    private func batchKitProducts(_ batch: BatchFiles) -> Set<String> {
        var kits: Set<String> = []
        for (_, url) in batch.urls(.calculations) {
            guard let reader = try? XMLStreamReader(path: url.path) else { continue }
            while let event = reader.next() {
                if case .start(let element) = event, element.name == "calculation", let item = element["item"] {
                    kits.insert(item)
                }
            }
        }
        return kits
    }

    /// Checks the items; returns the batch's items by number for the rules of the files after them.
    private func checkItems(
        _ batch: BatchFiles, kitProducts: Set<String>, result: inout BatchValidation
    ) throws -> [String: BatchItem] {
        var batchItems: [String: BatchItem] = [:]
        let itemRules = ItemRules(context: context, kitProducts: kitProducts)
        for (name, url) in batch.urls(.items) {
            let check = CSVFileCheck(schema: try ColumnSchema.load(.items, from: schemas), fileName: name)
            var kinds: [String: String] = [:]
            result.counts["items", default: 0] += try check.run(url: url, findings: &result.findings) {
                record, findings in
                if let number = record.usable("item_number"), let kind = record.usable("kind"),
                    batchItems[number] == nil
                {
                    batchItems[number] = BatchItem(
                        number: number, kind: kind, line: record.line, file: name, unit: record.usable("unit") ?? "STK")
                    kinds[number] = kind
                }
                itemRules.check(record, file: name, findings: &findings)
            }
            result.itemKinds.merge(kinds) { first, _ in first }
        }
        return batchItems
    }

    /// Customers, then payments, which may refer to them.
    private func checkCustomersAndPayments(_ batch: BatchFiles, result: inout BatchValidation) throws {
        var batchCustomers: [String: (line: Int, complete: Bool)] = [:]
        let customerRules = CustomerRules(context: context)
        for (name, url) in batch.urls(.customers) {
            let check = CSVFileCheck(schema: try ColumnSchema.load(.customers, from: schemas), fileName: name)
            result.counts["customers", default: 0] += try check.run(url: url, findings: &result.findings) {
                record, findings in
                let complete = customerRules.check(record, file: name, findings: &findings)
                if let number = record.usable("customer_number"), batchCustomers[number] == nil {
                    batchCustomers[number] = (record.line, complete)
                }
            }
        }
        var paymentRules = PaymentRules(context: context, batchCustomers: batchCustomers)
        for (name, url) in batch.urls(.payments) {
            let check = CSVFileCheck(schema: try ColumnSchema.load(.payments, from: schemas), fileName: name)
            result.counts["payments", default: 0] += try check.run(url: url, findings: &result.findings) {
                record, findings in
                paymentRules.check(record, file: name, findings: &findings)
            }
        }
    }

    /// Receipts: one file per business day and department, numbers checked across the batch.
    private func checkReceipts(_ batch: BatchFiles, result: inout BatchValidation) throws {
        var seenNumbers = ReceiptNumberIndex()
        var numbersByDay: [String: [Int64]] = [:]
        var daysSeen: [String: String] = [:]
        for (name, url) in batch.urls(.receipts) {
            // Handed over, not shared: a second reference would make the first insert copy the
            // whole index, once per file (730 copies of a growing table for a year).
            var rules = ReceiptRules(context: context, file: name, seenNumbers: consume seenNumbers)
            try XMLFileCheck(schema: try schema(.receipts), fileName: name)
                .run(url: url, recordElement: "receipt", findings: &result.findings) { rules.handle($0, pending: &$1) }
            seenNumbers = rules.seenNumbers
            if let day = rules.day { numbersByDay[day, default: []].append(contentsOf: rules.numbers) }
            if rules.skipped {
                result.skippedFiles.append(name)
                result.counts["receipts.skipped", default: 0] += rules.receipts
                continue
            }
            result.counts["receipts", default: 0] += rules.receipts
            guard let day = rules.day, let department = rules.department else { continue }
            if let other = daysSeen["\(day)|\(department)"] {
                result.findings.error(
                    .receiptDuplicateDay, "\(other) already carries business day \(day) of \(department)", file: name,
                    line: 2, column: 0,
                    hint: "one file per business day and department")
            }
            daysSeen["\(day)|\(department)"] = name
            result.receiptDays.append((day, department))
        }
        for (day, numbers) in numbersByDay.sorted(by: { $0.key < $1.key }) {
            for gap in Self.gaps(in: numbers) {
                result.findings.warning(
                    .receiptNumberGap, "receipt numbers \(gap.lowerBound)–\(gap.upperBound) are missing on \(day)",
                    file: "receipts",
                    hint: "voided or unsynced receipts? Check FlexyBox's journal for these numbers")
            }
        }
    }

    private func schema(_ type: DropFileType) throws -> XMLSchema {
        try XMLSchema(path: schemas.url(for: type).path)
    }

    /// The drop files of the folder by name, in name order; everything else is a finding.
    private func listDropFiles(_ result: inout BatchValidation) throws -> [(String, DropFileType)] {
        var files: [(String, DropFileType)] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        for name in names where !Self.isOwnFile(name) {
            let url = folder.appendingPathComponent(name)
            let values = try? url.resourceValues(forKeys: [.isSymbolicLinkKey, .isDirectoryKey, .isRegularFileKey])
            if values?.isSymbolicLink == true {
                result.findings.error(
                    .batchSymlink, "\(name) is a symbolic link; links are never followed", file: name,
                    hint: "drop the file itself, not a link to it")
            } else if values?.isDirectory == true {
                result.findings.error(
                    .batchUnexpectedFolder, "\(name) is a folder inside the batch", file: name,
                    hint: "a batch folder holds drop files only")
            } else if values?.isRegularFile != true {
                result.findings.error(
                    .batchNotAFile, "\(name) is not a regular file (a FIFO, socket or device is never read)",
                    file: name,
                    hint: "a batch folder holds drop files only")
            } else if let type = DropFileType(fileName: name) {
                files.append((name, type))
            } else {
                result.findings.error(
                    .batchUnknownFile, "\(name) is not a drop file type", file: name,
                    hint:
                        "drop files are named items, calculations, customers, payments, purchase_orders or receipts[-…] with .csv or .xml"
                )
            }
        }
        return files
    }

    /// A folder that carries an export manifest must hold exactly the files it lists, unchanged.
    /// `digests` are the drop files' own, hashed once for the manifest and for this check.
    private func checkExportManifest(
        files: [(String, DropFileType)], digests: [String: FileDigest], result: inout BatchValidation
    ) throws {
        let url = folder.appendingPathComponent("export.manifest.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        guard let manifest = try? StageManifest.decode(Data(contentsOf: url)) else {
            result.findings.error(
                .batchManifestUnreadable, "export.manifest.json is not a FlexyVisma manifest",
                file: "export.manifest.json",
                hint: "remove it if the folder was assembled by hand")
            return
        }
        var listed: Set<String> = []
        for output in manifest.outputs {
            guard !output.path.contains("/"), output.path != "..", output.path != ".", !output.path.isEmpty else {
                result.findings.error(
                    .batchUnsafePath,
                    "the export manifest lists \"\(output.path)\", which is not a file of this folder",
                    file: "export.manifest.json", hint: "a manifest may only name files inside its batch folder")
                continue
            }
            listed.insert(output.path)
            let file = folder.appendingPathComponent(output.path)
            guard let digest = digests[output.path] ?? (try? DurableFiles.digest(of: file)) else {
                result.findings.error(
                    .batchMissingFile, "\(output.path) is listed in the export manifest but missing", file: output.path,
                    hint: "the batch is incomplete: export it again")
                continue
            }
            if digest.sha256 != output.sha256 || digest.bytes != output.bytes {
                result.findings.error(
                    .batchHashMismatch, "\(output.path) changed after export (its SHA-256 differs from the manifest's)",
                    file: output.path,
                    hint:
                        "do not edit exported files: correct the source and export again, or drop a corrected file on its own"
                )
            }
        }
        for (name, _) in files where !listed.contains(name) {
            result.findings.error(
                .batchUnlistedFile, "\(name) is not listed in the export manifest", file: name,
                hint: "drop extra files on their own, not into an exported batch")
        }
    }

    /// Missing runs between the smallest and largest number.
    static func gaps(in numbers: [Int64]) -> [ClosedRange<Int64>] {
        let sorted = Array(Set(numbers)).sorted()
        var gaps: [ClosedRange<Int64>] = []
        for (previous, next) in zip(sorted, sorted.dropFirst()) where next > previous + 1 {
            gaps.append((previous + 1)...(next - 1))
        }
        return gaps
    }
}

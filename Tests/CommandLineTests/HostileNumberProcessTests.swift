import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// Amounts and quantities too large to hold exactly, through the real `flexyvisma-validate`: a positioned finding and a halt, never a trap.
@Suite struct HostileNumberProcessTests {
    @Test func anAmountBeyondTheRangeIsAPositionedFindingAndTheNextRunIsHaltedNotCrashed() async throws {
        try await RunningSimulator.with { simulator in
            let folder = try TemporaryFolder("flexyvisma-hostile-numbers")
            let root = PipelineRoot(folder.path("venue"))
            let umbrella = ChildProcess.executable("flexyvisma")
            let baseURL = simulator.baseURL
            try await offCooperativePool {
                #expect(try ChildProcess.run(umbrella, ["init", root.url.path, "--visma-url", baseURL]).status == 0)
                try Repository.buildSampleVenue(at: root.resolve("source/flexybox.sqlite"))
            }
            #expect(
                try await offCooperativePool { try ChildProcess.run(umbrella, ["export", "--root", root.url.path]) }
                    .status == 0)
            var configuration = try PipelineConfiguration.load(from: root)
            configuration.pipeline.settleSeconds = 0
            try configuration.encoded().write(to: root.configFile)
            let drop = try #require(Self.files(in: root.inbox).first { $0.lastPathComponent == "payments.csv" })
                .deletingLastPathComponent()
            try Self.makeHostile(drop)

            let validate = ChildProcess.executable("flexyvisma-validate")
            let first = try await offCooperativePool { try ChildProcess.run(validate, ["--root", root.url.path]) }
            #expect(first.status == 65, "\(first)")
            let findings = first.standardError.replacingOccurrences(of: "\n", with: " | ")
            // 9223372.90 kroner is large but exact in øre: read, not refused as a number; 18 digits before the mark are out of range.
            #expect(!findings.contains("error[csv.invalid-number]"), "\(findings)")
            #expect(
                first.standardError.contains(
                    "payments.csv:3:5: error[number.out-of-range]: amount 123456789012345678.00"), "\(findings)")
            #expect(
                first.standardError.contains("error[number.out-of-range]: 99999999999 × 99999.00"),
                "\(first.standardError.replacingOccurrences(of: "\n", with: " | "))")
            let second = try await offCooperativePool { try ChildProcess.run(validate, ["--root", root.url.path]) }
            #expect(second.status == 69, "\(second)")
            let status = try await offCooperativePool {
                try ChildProcess.run(umbrella, ["status", "--root", root.url.path])
            }
            #expect(!status.standardOutput.contains("not halted"), "\(status)")
        }
    }

    static func files(in folder: URL) -> [URL] {
        (FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []).filter
        { !$0.hasDirectoryPath }
    }

    /// Payments of 9223372.90 (past Int64 at twelve decimals, once a trap) and of 18 digits; a receipt line's quantity × price past Int64.
    static func makeHostile(_ drop: URL) throws {
        let payments = drop.appendingPathComponent("payments.csv")
        let text = try String(contentsOf: payments, encoding: .utf8)
        let newline = text.contains("\r\n") ? "\r\n" : "\n"
        var lines = text.components(separatedBy: newline)
        let separator = lines[0].contains(";") ? ";" : ","
        let header = lines[0].components(separatedBy: separator).map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let values = [
            "payment_id": "P-HOSTILE-1", "date": "2026-11-28", "customer_number": "K-2001", "payment_type": "MobilePay",
            "amount": separator == ";" ? "9223372,90" : "9223372.90", "currency": "DKK",
        ]
        lines.insert(header.map { values[$0] ?? "" }.joined(separator: separator), at: 1)
        let huge = values.merging(["payment_id": "P-HOSTILE-2", "amount": "123456789012345678.00"]) { $1 }
        lines.insert(header.map { huge[$0] ?? "" }.joined(separator: separator), at: 2)
        try lines.joined(separator: newline).write(to: payments, atomically: true, encoding: .utf8)

        let receipts = try #require(files(in: drop).first { $0.lastPathComponent.hasPrefix("receipts") })
        var xml = try String(contentsOf: receipts, encoding: .utf8)
        let line = try #require(xml.range(of: "<line "))
        let end = try #require(xml[line.upperBound...].range(of: "/>"))
        var element = String(xml[line.lowerBound..<end.upperBound])
        element = element.replacingOccurrences(
            of: #"quantity="[^"]*""#, with: #"quantity="99999999999""#, options: .regularExpression)
        element = element.replacingOccurrences(
            of: #"unitPrice="[^"]*""#, with: #"unitPrice="99999.00""#, options: .regularExpression)
        xml.replaceSubrange(line.lowerBound..<end.upperBound, with: element)
        try xml.write(to: receipts, atomically: true, encoding: .utf8)
    }
}

import FlexyVismaCore
import Foundation

/// One thing `flexyvisma doctor` checked in the Visma company, and how to put it right when it is wrong.
public struct DoctorCheck: Codable, Sendable, Equatable {
    /// What was checked: `credentials`, `accounts`, `vat`, `paymentMethods`, `branches`, `warehouses`, `periods`,
    /// `numbering`, `itemClasses`, `customerClass`, `suppliers`, `units`.
    public var area: String
    public var passed: Bool
    /// What was found, in a bookkeeper's words.
    public var finding: String
    /// What to do in Visma or in `flexyvisma.json`; nil when it passed.
    public var fix: String?

    public static func pass(_ area: String, _ finding: String) -> DoctorCheck {
        DoctorCheck(area: area, passed: true, finding: finding, fix: nil)
    }

    public static func fail(_ area: String, _ finding: String, fix: String) -> DoctorCheck {
        DoctorCheck(area: area, passed: false, finding: finding, fix: fix)
    }

    /// `✓ …` or `✗ … Fix: …`, on one line.
    public var line: String {
        passed ? "✓ \(finding)" : "✗ \(finding) Fix: \(fix ?? "")"
    }
}

/// A setting the API does not show, to be checked by hand, and where in Visma.
public struct ManualCheck: Codable, Sendable, Equatable {
    public var setting: String
    /// The window (its id where Visma's documentation gives one).
    public var whereToLook: String
    public var why: String
}

/// Everything `flexyvisma doctor` found.
public struct DoctorReport: Codable, Sendable, Equatable {
    public var baseURL: String
    public var checks: [DoctorCheck]
    public var manualChecks: [ManualCheck]
    /// Batch folders whose files the checks took into account.
    public var waitingBatches: [String]
    /// Waiting drop files that could not be read, so what they ask of Visma is not checked.
    public var unreadableFiles: [String] = []
    /// Requests sent to Visma (the token request included); all reads.
    public var requests: Int
    /// Why Visma could not be asked (exit 75), when it could not.
    public var unreachable: String?

    /// 0 when every check passed, 78 when one failed, 75 when Visma could not be reached.
    public var exitStatus: ExitStatus {
        if unreachable != nil { return .temporaryFailure }
        return checks.allSatisfy(\.passed) ? .success : .configuration
    }

    public var text: String {
        var lines = [
            "Checking the Visma company at \(baseURL) against flexyvisma.json"
                + (waitingBatches.isEmpty
                    ? " (no batches waiting)."
                    : " and \(waitingBatches.count) waiting batch\(waitingBatches.count == 1 ? "" : "es").")
        ]
        if !unreadableFiles.isEmpty {
            lines.append(
                "  (not read: \(unreadableFiles.joined(separator: ", ")) — validation will say what is wrong with them)"
            )
        }
        lines += checks.map(\.line)
        if let unreachable {
            lines.append(
                "✗ Visma cannot be reached: \(unreachable) Fix: try again later; nothing was checked past this point.")
        }
        if !manualChecks.isEmpty {
            lines.append("Check by hand in Visma (the API does not show these):")
            lines += manualChecks.map { "  - \($0.setting) — \($0.whereToLook): \($0.why)" }
        }
        let failed = checks.filter { !$0.passed }.count
        lines.append("\(requests) request\(requests == 1 ? "" : "s") to Visma, all reads.")
        switch exitStatus {
        case .success: lines.append("All checks passed.")
        case .temporaryFailure: lines.append("Visma could not be reached: run the doctor again later.")
        default:
            lines.append(
                "\(failed) problem\(failed == 1 ? "" : "s"): fix \(failed == 1 ? "it" : "them") before the next night.")
        }
        return lines.joined(separator: "\n")
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(JSONReport(report: self))
        data.append(0x0A)
        return data
    }

    /// The report with its exit status, as `--json` prints it.
    private struct JSONReport: Encodable {
        var report: DoctorReport
        func encode(to encoder: any Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(report.exitStatus.rawValue, forKey: .exitStatus)
            try container.encode(report.checks.allSatisfy(\.passed) && report.unreachable == nil, forKey: .passed)
        }
        enum Keys: String, CodingKey { case exitStatus, passed }
    }
}

import FlexyVismaCore
import Foundation
import Glibc

/// The Prometheus text file for node-exporter's textfile collector, rewritten atomically each run.
///
/// Every series carries the venue's name (`venue.name` in the configuration) as its `venue` label, so
/// one node-exporter can collect many roots. Two roots writing into one textfile folder must not
/// write one file: `notifications.metricsFile` ending in `/` names a folder, and the file in it is
/// `flexyvisma-<venue>.prom` (`MetricsFile`). The file's first line names the root that writes it; a
/// root never overwrites another root's file (two roots with one venue name would otherwise
/// report as one venue) — it warns and leaves it.
enum Metrics {
    static func write(status: PipelineStatus, record: RunRecord, venue: String, root: PipelineRoot, to url: URL) throws
    {
        let owner = "# flexyvisma root: \(root.url.path)"
        if let other = MetricsFile.otherRoot(in: url, ours: owner) {
            DiagnosticLine.write(
                stage: "flexyvisma", level: "warning",
                message:
                    "metrics not written: \(url.path) belongs to \(other); give each root its own venue name or metrics file",
                plain:
                    "flexyvisma: warning: metrics not written: \(url.path) belongs to \(other); give each root its own venue name or metrics file"
            )
            return
        }
        let text = ([owner] + lines(status: status, record: record, venue: venue)).joined(separator: "\n") + "\n"
        try DurableFiles.makeFolders(url.deletingLastPathComponent(), mode: FileModes.sharedFolder)
        // node-exporter reads it through the readers' group.
        try DurableFiles.writeAtomically(Data(text.utf8), to: url, permissions: FileModes.sharedFile)
    }

    static func lines(status: PipelineStatus, record: RunRecord, venue: String) -> [String] {
        let venueLabel = "venue=\"\(escapeLabel(venue))\""
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) -> [String] {
            ["# HELP \(name) \(help)", "# TYPE \(name) gauge"]
                + samples.map { "\(name){\(venueLabel)\($0.labels.isEmpty ? "" : ",\($0.labels)")} \($0.value)" }
        }
        var lines = gauge(
            "flexyvisma_build_info", "FlexyVisma's version, per venue (always 1).",
            [("version=\"\(escapeLabel(FlexyVismaVersion.current))\"", "1")])
        lines += gauge(
            "flexyvisma_last_run_exit_code", "Exit code of the last flexyvisma run.", [("", "\(record.exitStatus)")])
        lines += gauge(
            "flexyvisma_last_run_timestamp_seconds", "When the last run finished.",
            [("", "\(Int(seconds(record.finishedAt)))")])
        lines += gauge(
            "flexyvisma_last_success_timestamp_seconds",
            "When a run last finished with exit 0 (alert when it is old: a night that did not happen).",
            [("", "\(Int(seconds(record.lastSuccessAt)))")])
        lines += gauge(
            "flexyvisma_last_run_duration_seconds", "Duration of the last run.", [("", "\(record.durationSeconds)")])
        lines += gauge("flexyvisma_halted", "1 while the pipeline is halted.", [("", status.halted ? "1" : "0")])
        lines += gauge(
            "flexyvisma_queue_batches", "Batches waiting in batches/ and the inbox.",
            [("", "\(status.queue.count + status.inbox.count)")])
        lines += gauge(
            "flexyvisma_records_sent", "Records created or updated in Visma by the last run, per kind.",
            record.recordsByKind.sorted(by: { $0.key < $1.key }).map {
                ("kind=\"\(escapeLabel($0.key))\"", "\($0.value)")
            })
        if let days = status.days {
            lines += gauge(
                "flexyvisma_business_days",
                "Department business days since the first export, by where they stand (unaccounted > 0 is a breach: alert).",
                DayCheck.State.allCases.map { ("state=\"\($0.rawValue)\"", "\(days.counts[$0.rawValue] ?? 0)") })
            lines += gauge(
                "flexyvisma_days_exported_not_booked",
                "Department business days exported (or due) but not yet booked in Visma.",
                [("", "\(days.exportedNotBooked)")])
        }
        return lines
    }

    /// A label value in the Prometheus text format: backslash, double quote and line feed escaped.
    static func escapeLabel(_ value: String) -> String {
        var escaped = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    private static func seconds(_ text: String?) -> Double {
        guard let text else { return 0 }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)?.timeIntervalSince1970 ?? 0
    }
}

/// Where a root's metrics file is.
public enum MetricsFile {
    /// `configured` (from `notifications.metricsFile`) resolved against the root; ending in `/`, a folder
    /// shared with other roots, in which the file is `flexyvisma-<venue>.prom`.
    public static func url(configured: String, root: PipelineRoot, venue: String) -> URL {
        let resolved = root.resolve(configured)
        guard configured.hasSuffix("/") else { return resolved }
        return resolved.appendingPathComponent("flexyvisma-\(slug(venue)).prom")
    }

    /// The venue name as a file name: lowercase ASCII letters and digits, other runs as one `-`.
    public static func slug(_ venue: String) -> String {
        var slug = ""
        for scalar in venue.lowercased().unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? "venue" : String(slug.prefix(60))
    }

    /// The root named in an existing metrics file's first line when it is not `ours`; nil when ours, absent or unreadable.
    static func otherRoot(in url: URL, ours: String) -> String? {
        guard let data = try? SmallFile.read(url, maximumBytes: 1 << 20),
            let first = String(decoding: data.prefix(4096), as: UTF8.self).split(separator: "\n", maxSplits: 1).first,
            first.hasPrefix("# flexyvisma root: "), first != ours
        else { return nil }
        return String(first.dropFirst("# flexyvisma root: ".count))
    }
}

/// Runs the configured notification command: status JSON on stdin, a one-line summary as argument.
///
/// The command gets a fresh environment, never this process's: `PATH`, `LANG`, `HOME` and the
/// `FLEXYVISMA_*` event variables below — so `FLEXYVISMA_CLIENT_SECRET` and whatever else the
/// nightly job was started with stay here. A command that exits without reading its input, or
/// fails, or runs past its time limit (then it is stopped), is a warning: the run still ends with its own status.
enum Notifier {
    struct Event {
        var summary: String
        var root: PipelineRoot
        var exitStatus: Int32
        var halted: Bool
        /// `FLEXYVISMA_EVENT` when it is neither a halt nor a failure streak (the drop check's `drop-checked`, `drop-queued`).
        var kind: String? = nil
        /// `FLEXYVISMA_REPORT`: the validation report the event is about, for a notifier that attaches it.
        var report: URL? = nil
    }

    static func send(command: String, event: Event, status: PipelineStatus, timeLimitSeconds: Int = 60) {
        // A notifier that closed its stdin must give EPIPE, not kill the run (executables ignore it already).
        signal(SIGPIPE, SIG_IGN)
        let child: Subprocess
        let writing: Int32
        do {
            let ends = try Subprocess.pipe()
            writing = ends.writing
            defer { close(ends.reading) }
            do {
                child = try Subprocess.start(
                    "/bin/sh", ["-c", command + " \"$1\"", "flexyvisma-notify", event.summary],
                    environment: environment(for: event),
                    input: ends.reading)
            } catch {
                close(ends.writing)
                throw error
            }
        } catch {
            warn("cannot run the notification command: \(error)")
            return
        }
        let deadline = Date().addingTimeInterval(Double(timeLimitSeconds))
        let json = (try? CanonicalJSON.encode(status)) ?? Data()
        let delivered = write(Array(json), to: writing, until: deadline)
        close(writing)
        while child.isRunning, Date() < deadline { usleep(20_000) }
        guard !child.isRunning else {
            child.kill()
            warn("the notification command did not finish within \(timeLimitSeconds) s and was stopped")
            return
        }
        let exit = child.wait()
        if exit != 0 {
            warn("the notification command exited \(exit)")
        } else if !delivered {
            warn("the notification command did not read the status on its stdin")
        }
    }

    private static func warn(_ message: String) {
        DiagnosticLine.write(
            stage: "flexyvisma", level: "warning", message: message, plain: "flexyvisma: warning: \(message)")
    }

    /// Writes without blocking past `deadline`: false when the reader went away or did not read in time.
    private static func write(_ bytes: [UInt8], to descriptor: Int32, until deadline: Date) -> Bool {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var offset = 0
        while offset < bytes.count {
            let remaining = Int32(max(0, min(deadline.timeIntervalSinceNow * 1000, Double(Int32.max))))
            var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            guard remaining > 0, poll(&poller, 1, remaining) > 0 else { return false }
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written < 0, errno != EAGAIN, errno != EINTR {
                return false
            }
        }
        return true
    }

    /// The notifier's whole environment.
    static func environment(
        for event: Event, inherited: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String: String] {
        var environment = [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "FLEXYVISMA_EVENT": event.kind ?? (event.halted ? "halted" : "temporary-failures"),
            "FLEXYVISMA_SUMMARY": event.summary,
            "FLEXYVISMA_ROOT": event.root.url.path,
            "FLEXYVISMA_EXIT_STATUS": String(event.exitStatus),
        ]
        for name in ["LANG", "HOME"] { environment[name] = inherited[name] }
        if let report = event.report { environment["FLEXYVISMA_REPORT"] = report.path }
        return environment
    }
}

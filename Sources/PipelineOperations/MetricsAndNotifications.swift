import FlexyVismaCore
import Foundation
import Glibc

/// The Prometheus text file for node-exporter's textfile collector, rewritten atomically each run.
enum Metrics {
    static func write(status: PipelineStatus, record: RunRecord, to url: URL) throws {
        func seconds(_ text: String?) -> Double {
            guard let text else { return 0 }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: text)?.timeIntervalSince1970 ?? 0
        }
        var lines = [
            "# HELP flexyvisma_last_run_exit_code Exit code of the last flexyvisma run.",
            "# TYPE flexyvisma_last_run_exit_code gauge",
            "flexyvisma_last_run_exit_code \(record.exitStatus)",
            "# HELP flexyvisma_last_run_timestamp_seconds When the last run finished.",
            "# TYPE flexyvisma_last_run_timestamp_seconds gauge",
            "flexyvisma_last_run_timestamp_seconds \(Int(seconds(record.finishedAt)))",
            "# HELP flexyvisma_last_success_timestamp_seconds When a run last finished with exit 0 (alert when it is old: a night that did not happen).",
            "# TYPE flexyvisma_last_success_timestamp_seconds gauge",
            "flexyvisma_last_success_timestamp_seconds \(Int(seconds(record.lastSuccessAt)))",
            "# HELP flexyvisma_last_run_duration_seconds Duration of the last run.",
            "# TYPE flexyvisma_last_run_duration_seconds gauge",
            "flexyvisma_last_run_duration_seconds \(record.durationSeconds)",
            "# HELP flexyvisma_halted 1 while the pipeline is halted.",
            "# TYPE flexyvisma_halted gauge",
            "flexyvisma_halted \(status.halted ? 1 : 0)",
            "# HELP flexyvisma_queue_batches Batches waiting in batches/ and the inbox.",
            "# TYPE flexyvisma_queue_batches gauge",
            "flexyvisma_queue_batches \(status.queue.count + status.inbox.count)",
            "# HELP flexyvisma_records_sent Records created or updated in Visma by the last run, per kind.",
            "# TYPE flexyvisma_records_sent gauge",
        ]
        for (kind, count) in record.recordsByKind.sorted(by: { $0.key < $1.key }) {
            lines.append("flexyvisma_records_sent{kind=\"\(kind)\"} \(count)")
        }
        if let days = status.days {
            lines += [
                "# HELP flexyvisma_business_days Department business days since the first export, by where they stand (unaccounted > 0 is a breach: alert).",
                "# TYPE flexyvisma_business_days gauge",
            ]
            for state in DayCheck.State.allCases { lines.append("flexyvisma_business_days{state=\"\(state.rawValue)\"} \(days.counts[state.rawValue] ?? 0)") }
            lines += [
                "# HELP flexyvisma_days_exported_not_booked Department business days exported (or due) but not yet booked in Visma.",
                "# TYPE flexyvisma_days_exported_not_booked gauge",
                "flexyvisma_days_exported_not_booked \(days.exportedNotBooked)",
            ]
        }
        try DurableFiles.makeFolders(url.deletingLastPathComponent(), mode: FileModes.sharedFolder)
        // node-exporter reads it through the readers' group.
        try DurableFiles.writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: url, permissions: FileModes.sharedFile)
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
                    "/bin/sh", ["-c", command + " \"$1\"", "flexyvisma-notify", event.summary], environment: environment(for: event),
                    input: ends.reading)
            } catch {
                close(ends.writing)
                throw error
            }
        } catch {
            StandardStream.error("flexyvisma: warning: cannot run the notification command: \(error)\n")
            return
        }
        let deadline = Date().addingTimeInterval(Double(timeLimitSeconds))
        let json = (try? CanonicalJSON.encode(status)) ?? Data()
        let delivered = write(Array(json), to: writing, until: deadline)
        close(writing)
        while child.isRunning, Date() < deadline { usleep(20_000) }
        guard !child.isRunning else {
            child.kill()
            StandardStream.error("flexyvisma: warning: the notification command did not finish within \(timeLimitSeconds) s and was stopped\n")
            return
        }
        let exit = child.wait()
        if exit != 0 {
            StandardStream.error("flexyvisma: warning: the notification command exited \(exit)\n")
        } else if !delivered {
            StandardStream.error("flexyvisma: warning: the notification command did not read the status on its stdin\n")
        }
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

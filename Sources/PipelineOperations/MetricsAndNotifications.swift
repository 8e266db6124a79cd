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
/// fails, is a warning: the run still ends with its own status.
enum Notifier {
    struct Event {
        var summary: String
        var root: PipelineRoot
        var exitStatus: Int32
        var halted: Bool
    }

    static func send(command: String, event: Event, status: PipelineStatus) {
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
        let json = (try? CanonicalJSON.encode(status)) ?? Data()
        let delivered = StandardStream.write(Array(json), to: writing)
        close(writing)
        let exit = child.wait()
        if exit != 0 {
            StandardStream.error("flexyvisma: warning: the notification command exited \(exit)\n")
        } else if !delivered {
            StandardStream.error("flexyvisma: warning: the notification command did not read the status on its stdin\n")
        }
    }

    /// The notifier's whole environment.
    static func environment(
        for event: Event, inherited: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String: String] {
        var environment = [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "FLEXYVISMA_EVENT": event.halted ? "halted" : "temporary-failures",
            "FLEXYVISMA_SUMMARY": event.summary,
            "FLEXYVISMA_ROOT": event.root.url.path,
            "FLEXYVISMA_EXIT_STATUS": String(event.exitStatus),
        ]
        for name in ["LANG", "HOME"] { environment[name] = inherited[name] }
        return environment
    }
}

import FlexyVismaCore
import Foundation

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
enum Notifier {
    static func send(command: String, summary: String, status: PipelineStatus) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command + " \"$1\"", "flexyvisma-notify", summary]
        let input = Pipe()
        process.standardInput = input
        do {
            try process.run()
            input.fileHandleForWriting.write((try? CanonicalJSON.encode(status)) ?? Data())
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                FileHandle.standardError.write(Data("flexyvisma: warning: the notification command exited \(process.terminationStatus)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("flexyvisma: warning: cannot run the notification command: \(error)\n".utf8))
        }
    }
}

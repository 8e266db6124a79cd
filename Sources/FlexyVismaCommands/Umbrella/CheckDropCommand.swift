import ArgumentParser
import FlexyVismaCore
import PipelineOperations

/// `flexyvisma check-drop`: the inbox watcher's command (deploy/systemd/flexyvisma-inbox@.service).
struct CheckDropSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-drop",
        abstract:
            "Check a hand drop now: wait out the settle time, validate it and send the findings to the notification command.",
        discussion: """
            Validates nothing while the pipeline is halted (the drop is reported as queued behind the halt, exit 69), \
            unless it is a corrected file for a halted hand drop. When a night holds the root, waits up to \
            --wait-for-night seconds, then leaves the drop to it (exit 0). Exit 65 when the drop was rejected. \
            Never transforms or uploads: an accepted drop goes to Visma with the next night.
            """)

    @OptionGroup var options: RootOptions

    @Option(name: .long, help: "Seconds to wait for a run that holds the root before leaving the drop to it.")
    var waitForNight: Int = 30

    func validate() throws {
        guard (0...3600).contains(waitForNight) else {
            throw ValidationError("--wait-for-night must be 0…3600 seconds")
        }
    }

    func run() throws {
        // The watcher also fires on the check's own pickup: an empty inbox ends here, without a log file.
        let root = try options.root
        guard !InboxEntry.survey(root).names.isEmpty else {
            print("check-drop: nothing in \(root.inbox.path) to check")
            return
        }
        let runId = options.startLogging()
        try options.run("flexyvisma check-drop") { root, configuration in
            try DropCheck(
                root: root, configuration: configuration, executables: UmbrellaDispatch.executableFolder(),
                lockWaitSeconds: waitForNight, runId: runId
            ).run()
        }
    }
}

import FlexyVismaCore
import Foundation

/// The venue roots one host or one Kubernetes Indexed Job works through: `flexyvisma run --roots-file F`.
///
/// One root a line; blank lines and lines starting with `#` are skipped (a `#` later in a line is part
/// of the path). A relative path is relative to the file's folder. The file steers which folders
/// the pipeline writes, so it is checked like the client secret file, on the opened file: a regular
/// file (a link is followed, as Kubernetes mounts a ConfigMap) of this user or root, writable by no one
/// else, at most 1 MiB — else exit 78.
public struct VenueRoots: Sendable, Equatable {
    public let roots: [PipelineRoot]
    /// The variable a Kubernetes Indexed Job sets in each pod: the venue index when `--index` is not given.
    public static let indexVariable = "JOB_COMPLETION_INDEX"
    static let maximumBytes = 1 << 20

    public init(roots: [PipelineRoot]) { self.roots = roots }

    public static func load(_ file: URL) throws -> VenueRoots {
        let data: Data
        do {
            data = try SmallFile.read(file, maximumBytes: maximumBytes, owner: .usOrRoot, followingLinks: true)
        } catch let failure as any PipelineFailure {
            throw OperatorMessage(.configuration, "roots file: \(failure.description)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw OperatorMessage(.configuration, "roots file \(file.path) is not UTF-8 text")
        }
        return try parse(text, file: file)
    }

    static func parse(_ text: String, file: URL) throws -> VenueRoots {
        var roots: [PipelineRoot] = []
        var lineOf: [String: Int] = [:]
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let number = offset + 1
            guard !line.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw OperatorMessage(
                    .configuration, "roots file \(file.path):\(number): a control character in the path")
            }
            let root = PipelineRoot(
                line.hasPrefix("/")
                    ? URL(fileURLWithPath: line) : file.deletingLastPathComponent().appendingPathComponent(line))
            if let first = lineOf[root.url.path] {
                throw OperatorMessage(
                    .configuration,
                    "roots file \(file.path):\(number): \(root.url.path) is already on line \(first); each venue is run once a night"
                )
            }
            lineOf[root.url.path] = number
            roots.append(root)
        }
        guard !roots.isEmpty else {
            throw OperatorMessage(.configuration, "roots file \(file.path) names no venue root")
        }
        return VenueRoots(roots: roots)
    }

    /// The root at a 0-based index (`--index`, else `$JOB_COMPLETION_INDEX`); nil when neither is given.
    public func root(
        index: Int?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PipelineRoot? {
        var chosen = index
        if chosen == nil, let text = environment[Self.indexVariable], !text.isEmpty {
            guard let parsed = Int(text) else {
                throw OperatorMessage(
                    .usage, "\(Self.indexVariable)=\(TerminalText.escaped(text)) is not a venue index")
            }
            chosen = parsed
        }
        guard let chosen else { return nil }
        guard roots.indices.contains(chosen) else {
            throw OperatorMessage(
                .usage,
                "venue index \(chosen) is out of range: the roots file names \(roots.count) venue(s), indexes 0–\(roots.count - 1)"
            )
        }
        return roots[chosen]
    }
}

/// Each venue's night in turn, each as its own `flexyvisma run --root R` child, so one venue's
/// broken configuration, halt or crash never stops the others.
public struct FleetRun: Sendable {
    public let roots: VenueRoots
    /// The `flexyvisma` executable to start for each venue.
    public let umbrella: URL
    /// Given to every venue's `run` after `--root R` (e.g. `--day D`).
    public let arguments: [String]

    public init(roots: VenueRoots, umbrella: URL, arguments: [String] = []) {
        self.roots = roots
        self.umbrella = umbrella
        self.arguments = arguments
    }

    /// Runs every venue and prints one summary line per venue; the worst exit status (`worse(_:_:)`).
    public func run(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ExitStatus {
        var childEnvironment = environment
        // Each venue is its own night: its own run id and log file.
        childEnvironment[RunLogging.environmentVariable] = nil
        var worst: Int32 = 0
        var lines: [String] = []
        for (index, root) in roots.roots.enumerated() {
            let started = Timestamp.iso8601(Date())
            let child = try Subprocess.start(
                umbrella.path, ["run", "--root", root.url.path] + arguments, environment: childEnvironment)
            let status = child.wait()
            let exit = child.endedBySignal ? ExitStatus.internalError.rawValue : status
            worst = Self.worse(worst, exit)
            lines.append(
                summary(
                    index: index, root: root, exit: exit, startedAt: started, signal: child.endedBySignal ? status : nil
                ))
        }
        print("fleet: \(roots.roots.count) venue(s), exit \(worst)")
        for line in lines { print(line) }
        return ExitStatus(rawValue: worst) ?? .internalError
    }

    private func summary(index: Int, root: PipelineRoot, exit: Int32, startedAt: String, signal: Int32?) -> String {
        let name = (try? PipelineConfiguration.load(from: root))?.venue.name
        var what: String
        if let signal {
            what = "stopped by signal \(signal)"
        } else if let record = try? RunRecord.load(from: root), record.startedAt >= startedAt {
            what = record.summary
        } else {
            what = "no run recorded (see its messages above)"
        }
        if what.count > 300 { what = String(what.prefix(300)) + "…" }
        let label = name.map { " (\(TerminalText.escaped($0)))" } ?? ""
        return
            "venue \(index) \(TerminalText.escaped(root.url.path))\(label): exit \(exit) — \(TerminalText.escaped(what))"
    }

    /// How bad an exit is, worst first: 70 internal (a bug, or a venue killed), 64 usage, 78 configuration
    /// (nothing of that venue runs until a person corrects it), 65 data rejected (a new halt: a person must
    /// fix the data), 69 halted earlier (already told), 75 temporary (passes by itself), 0.
    public static let severity: [Int32] = [70, 64, 78, 65, 69, 75, 0]

    /// The worse of two exits; an exit outside the list counts as 70.
    public static func worse(_ a: Int32, _ b: Int32) -> Int32 {
        func rank(_ code: Int32) -> Int { severity.firstIndex(of: code) ?? 0 }
        return rank(a) <= rank(b) ? a : b
    }
}

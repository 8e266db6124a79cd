import Foundation

/// Git-style dispatch: `flexyvisma <stage> …` runs `flexyvisma-<stage>` found beside `flexyvisma`.
public enum UmbrellaDispatch {
    /// The folder of the running executable (through symlinks), from /proc/self/exe.
    public static func executableFolder() -> URL {
        let link = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if link.path != "/proc/self/exe" { return link.deletingLastPathComponent() }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The stage executable for `name`, when one sits beside this one.
    public static func stageExecutable(named name: String, in folder: URL = executableFolder()) -> URL? {
        guard !name.isEmpty, !name.hasPrefix("-"), name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            return nil
        }
        let candidate = folder.appendingPathComponent("flexyvisma-\(name)")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    /// Stages installed beside this executable, for help text.
    public static func installedStages(in folder: URL = executableFolder()) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix("flexyvisma-") && !$0.contains(".") }
            .map { String($0.dropFirst("flexyvisma-".count)) }
            .filter { stageExecutable(named: $0, in: folder) != nil }
            .sorted()
    }

    /// Replaces this process with the stage executable; its exit status becomes ours.
    public static func exec(_ executable: URL, arguments: [String]) -> Never {
        let argv = [executable.path] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArguments.append(nil)
        execv(executable.path, &cArguments)
        CommandFailures.printError("flexyvisma", "cannot run \(executable.path): \(String(cString: strerror(errno)))")
        exit(70)
    }
}

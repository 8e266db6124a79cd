import Dispatch
import FlexyVismaCore
import Foundation
import Glibc
import Synchronization
import Testing

/// `Subprocess` starts the stages and the notifier. Foundation's `Process.run` read past glibc's
/// directory buffer on every start (an AddressSanitizer heap-buffer-overflow in
/// `findMaximumOpenFromProcSelfFD`, and now and then a SIGSEGV when tests started children on
/// several threads) and leaked per child; run these under `Scripts/sanitize address`.
@Suite struct SubprocessTests {
    @Test func childrenStartedFromManyThreadsAtOnceEachEndWithTheirOwnStatus() {
        let statuses = Mutex<[Int: Int32]>([:])
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            let status =
                (try? Subprocess.start("/bin/sh", ["-c", "exit \(index % 50)"], environment: [:]).wait()) ?? -1
            statuses.withLock { $0[index] = status }
        }
        let all = statuses.withLock { $0 }
        #expect(all.count == 64)
        for (index, status) in all { #expect(status == Int32(index % 50), "child \(index)") }
    }

    @Test func aDescriptorLeftOpenWithoutCloseOnExecDoesNotReachTheChild() throws {
        let descriptor = open("/dev/null", O_RDONLY)
        #expect(descriptor > 2)
        defer { close(descriptor) }
        let child = try Subprocess.start("/bin/sh", ["-c", "test -e /proc/self/fd/\(descriptor)"], environment: [:])
        #expect(child.wait() == 1, "descriptor \(descriptor) was inherited")
    }

    @Test func aSignalIgnoredHereIsBackToItsDefaultInTheChild() throws {
        signal(SIGPIPE, SIG_IGN)
        let child = try Subprocess.start("/bin/sh", ["-c", "kill -PIPE $$; exit 3"], environment: [:])
        #expect(child.wait() == SIGPIPE)
        #expect(child.endedBySignal)
    }

    @Test func theChildGetsExactlyTheEnvironmentGivenAndItsStandardInputIsEmpty() throws {
        setenv("FLEXYVISMA_SUBPROCESS_TEST_SECRET", "leaked", 1)
        defer { unsetenv("FLEXYVISMA_SUBPROCESS_TEST_SECRET") }
        let script = #"[ -z "${FLEXYVISMA_SUBPROCESS_TEST_SECRET+set}" ] && [ "$ONLY" = yes ] && [ -z "$(cat)" ]"#
        let child = try Subprocess.start("/bin/sh", ["-c", script], environment: ["ONLY": "yes"])
        #expect(child.wait() == 0)
    }

    @Test func aKilledChildIsReportedAsEndedByItsSignal() throws {
        let child = try Subprocess.start("/bin/sh", ["-c", "exec sleep 600"], environment: [:])
        #expect(child.isRunning)
        child.kill()
        #expect(!child.isRunning)
        #expect(child.wait() == SIGKILL)
        #expect(child.endedBySignal)
    }

    @Test func aMissingExecutableIsAnInternalErrorNamingIt() {
        #expect(throws: OperatorMessage.self) {
            try Subprocess.start("/nonexistent/flexyvisma-stage", [], environment: [:])
        }
    }
}

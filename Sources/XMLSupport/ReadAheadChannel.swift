import Dispatch
import Synchronization

/// A bounded queue that lets a reader run ahead on a thread of its own while the caller handles
/// what was already read: parsing a large XML drop on one core and checking it on the other.
///
/// The reading side runs on a dispatch queue of its own, not a global one, because it blocks
/// whenever the caller falls `capacity` chunks behind. When the caller stops early, `cancel()`
/// (called by the reader types' deinit) makes the next `send` return false so the thread ends.
final class ReadAheadChannel<Chunk: Sendable>: Sendable {
    private let state = Mutex<(chunks: [Chunk], cancelled: Bool)>(([], false))
    private let filled = DispatchSemaphore(value: 0)
    private let space = DispatchSemaphore(value: 0)

    /// Starts `produce` on its own queue; it sends chunks until it is done or `send` returns false.
    init(label: String, capacity: Int = 4, produce: @escaping @Sendable (ReadAheadChannel<Chunk>) -> Void) {
        // Counted up rather than created at `capacity`: libdispatch traps when a semaphore is
        // freed below its initial value, which a reader abandoned halfway would do.
        for _ in 0..<capacity { space.signal() }
        DispatchQueue(label: label).async { produce(self) }
    }

    /// Waits for room, then queues `chunk`. False once the caller has gone: the reader stops.
    func send(_ chunk: Chunk) -> Bool {
        space.wait()
        let accepted = state.withLock { state in
            guard !state.cancelled else { return false }
            state.chunks.append(chunk)
            return true
        }
        if accepted { filled.signal() }
        return accepted
    }

    /// Waits for the next chunk. Only call it while the reader has more to send.
    func receive() -> Chunk {
        filled.wait()
        let chunk = state.withLock { $0.chunks.removeFirst() }
        space.signal()
        return chunk
    }

    /// Tells the reading thread to stop at its next `send`.
    func cancel() {
        state.withLock { $0.cancelled = true }
        space.signal()
    }
}

/// Moves a value that is not `Sendable` to the reading thread, which alone uses it from then on.
final class Handover<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

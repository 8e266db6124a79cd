/// A column pattern of the form `^[CLASS]{m,n}$`, checked on bytes without a regex engine.
///
/// Every pattern in `Schemas/*.columns.json` has this form; validating a million rows with
/// Swift's `Regex` costs seconds, this costs milliseconds. Other patterns fall back to `Regex`.
struct SimplePattern: Sendable {
    private var allowed = [Bool](repeating: false, count: 256)
    let minimum: Int
    let maximum: Int

    init?(_ pattern: String) {
        let bytes = Array(pattern.utf8)
        guard bytes.count > 6, bytes.first == UInt8(ascii: "^"), bytes[1] == UInt8(ascii: "["),
            bytes.last == UInt8(ascii: "$"),
            let close = bytes.firstIndex(of: UInt8(ascii: "]")), close + 1 < bytes.count,
            bytes[close + 1] == UInt8(ascii: "{")
        else { return nil }
        let counts = String(decoding: bytes[(close + 2)..<(bytes.count - 2)], as: UTF8.self).split(separator: ",")
        guard bytes[bytes.count - 2] == UInt8(ascii: "}"), let low = counts.first.flatMap({ Int($0) }) else {
            return nil
        }
        minimum = low
        maximum = counts.count == 2 ? (Int(counts[1]) ?? Int.max) : low
        var index = 2
        while index < close {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 1 < close {
                allowed[Int(bytes[index + 1])] = true
                index += 2
            } else if index + 2 < close, bytes[index + 1] == UInt8(ascii: "-") {
                for value in byte...bytes[index + 2] { allowed[Int(value)] = true }
                index += 3
            } else {
                allowed[Int(byte)] = true
                index += 1
            }
        }
    }

    func matches(_ text: String) -> Bool {
        var count = 0
        for byte in text.utf8 {
            guard allowed[Int(byte)] else { return false }
            count += 1
        }
        return count >= minimum && count <= maximum
    }
}

import Glibc

/// Finds a `<!DOCTYPE` in the prolog of an XML file by reading bytes, before any parser sees it.
///
/// A document type declaration can only stand before the root element, so reading up to the
/// first element start is enough. Refusing it here means no entity, internal or external, is ever
/// declared, let alone expanded or fetched.
enum PrologScan {
    /// The 1-based line of a DOCTYPE declaration, or nil when the prolog has none.
    static func doctypeLine(path: String, limit: Int = 1 << 20) -> Int? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: 64 * 1024)
        var window: [UInt8] = []
        var line = 1
        var total = 0
        enum State { case text, markup, comment, instruction }
        var state = State.text
        while total < limit {
            let count = fread(&bytes, 1, bytes.count, file)
            if count <= 0 { return nil }
            total += count
            for index in 0..<count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\n") { line += 1 }
                window.append(byte)
                if window.count > 9 { window.removeFirst(window.count - 9) }
                switch state {
                case .text:
                    if byte == UInt8(ascii: "<") {
                        state = .markup
                        window = [byte]
                    }
                case .markup:
                    // Decide what this markup is from its first bytes.
                    if window == Array("<?".utf8) {
                        state = .instruction
                    } else if window == Array("<!--".utf8) {
                        state = .comment
                    } else if window.count == 9, window == Array("<!DOCTYPE".utf8) {
                        return line
                    } else if window.count == 2, window[1] != UInt8(ascii: "!") {
                        return nil  // the root element starts: the prolog is over
                    } else if !Array("<!DOCTYPE".utf8).starts(with: window), !Array("<!--".utf8).starts(with: window) {
                        return nil
                    }
                case .comment:
                    if window.suffix(3).elementsEqual("-->".utf8) { state = .text }
                case .instruction:
                    if window.suffix(2).elementsEqual("?>".utf8) { state = .text }
                }
            }
        }
        return nil
    }
}

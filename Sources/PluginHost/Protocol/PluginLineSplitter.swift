/// Splits what a plugin writes into lines, refusing to hold a line longer than `maximum` bytes.
///
/// The Python SDK ends each line with `\n\n`: empty lines are skipped.
struct PluginLineSplitter {
    let maximum: Int
    private var pending: [UInt8] = []

    init(maximum: Int) { self.maximum = maximum }

    struct LineTooLong: Error, CustomStringConvertible {
        let maximum: Int
        var description: String { "the plugin wrote a line longer than \(maximum) bytes" }
    }

    /// The complete lines that `bytes` ends; what follows the last newline waits for the next call.
    mutating func append(_ bytes: UnsafeRawBufferPointer) throws(LineTooLong) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            if pending.isEmpty {
                if index > start { lines.append(Array(bytes[start..<index])) }
            } else {
                pending.append(contentsOf: bytes[start..<index])
                if pending.count > maximum { throw LineTooLong(maximum: maximum) }
                lines.append(pending)
                pending.removeAll(keepingCapacity: true)
            }
            start = index + 1
        }
        if start < bytes.count {
            pending.append(contentsOf: bytes[start...])
            if pending.count > maximum { throw LineTooLong(maximum: maximum) }
        }
        return lines.filter { line in line.contains { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 } }
    }
}

/// The last few KiB a plugin wrote to standard error, kept for the error an operator sees.
struct StandardErrorTail {
    let capacity: Int
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { self.capacity = capacity }

    mutating func append(_ more: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: more.suffix(capacity))
        if bytes.count > capacity { bytes.removeFirst(bytes.count - capacity) }
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

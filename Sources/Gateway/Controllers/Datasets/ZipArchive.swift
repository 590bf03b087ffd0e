/// A ZIP archive of files stored as they are (no compression: documents are downloaded, not archived for keeps), built
/// in memory: local headers and contents, then the central directory. Names are UTF-8 (flag bit 11).
struct ZipArchive {
    private var bytes: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0

    mutating func add(_ name: String, _ contents: some Collection<UInt8>) {
        let name = Array(name.utf8)
        let crc = CRC32.checksum(contents)
        let size = UInt32(truncatingIfNeeded: contents.count)
        let offset = UInt32(truncatingIfNeeded: bytes.count)
        // Local file header, then the contents.
        append32(0x0403_4b50, to: &bytes)
        appendDescription(crc: crc, size: size, nameLength: name.count, to: &bytes)
        append16(0, to: &bytes)
        bytes += name
        bytes += contents
        // Its central directory entry: the same description, and where the local header is.
        append32(0x0201_4b50, to: &directory)
        append16(20, to: &directory)
        appendDescription(crc: crc, size: size, nameLength: name.count, to: &directory)
        for _ in 0..<4 { append16(0, to: &directory) }
        append32(0, to: &directory)
        append32(offset, to: &directory)
        directory += name
        count += 1
    }

    /// What both headers say of a file: version needed (2.0), flags (UTF-8 names), method (stored), a fixed time and
    /// date (1980-01-01 00:00), checksum, sizes and the name's length.
    private func appendDescription(crc: UInt32, size: UInt32, nameLength: Int, to buffer: inout [UInt8]) {
        append16(20, to: &buffer)
        append16(0x0800, to: &buffer)
        append16(0, to: &buffer)
        append16(0, to: &buffer)
        append16(0x21, to: &buffer)
        append32(crc, to: &buffer)
        append32(size, to: &buffer)
        append32(size, to: &buffer)
        append16(UInt16(truncatingIfNeeded: nameLength), to: &buffer)
    }

    /// The archive's bytes: the files, the central directory and its end record.
    func finish() -> [UInt8] {
        var result = bytes + directory
        append32(0x0605_4b50, to: &result)
        append16(0, to: &result)
        append16(0, to: &result)
        append16(UInt16(truncatingIfNeeded: count), to: &result)
        append16(UInt16(truncatingIfNeeded: count), to: &result)
        append32(UInt32(truncatingIfNeeded: directory.count), to: &result)
        append32(UInt32(truncatingIfNeeded: bytes.count), to: &result)
        append16(0, to: &result)
        return result
    }

    private func append16(_ value: UInt16, to buffer: inout [UInt8]) {
        buffer.append(UInt8(value & 0xff))
        buffer.append(UInt8(value >> 8))
    }

    private func append32(_ value: UInt32, to buffer: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8((value >> UInt32(shift)) & 0xff)) }
    }
}

/// CRC-32 (IEEE 802.3, as ZIP uses it).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

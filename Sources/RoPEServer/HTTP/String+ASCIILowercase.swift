extension String {
    /// The bytes as a string with A-Z folded to a-z and every other byte kept: for HTTP tokens (header names, media
    /// types), which are ASCII. Byte-wise because it runs several times per request and `lowercased()` works on
    /// Unicode scalars.
    init<Bytes: Collection<UInt8>>(asciiLowercasing bytes: Bytes) {
        self.init(unsafeUninitializedCapacity: bytes.count) { output in
            for (index, byte) in bytes.enumerated() { output[index] = byte &- 65 < 26 ? byte | 0x20 : byte }
            return bytes.count
        }
    }
}

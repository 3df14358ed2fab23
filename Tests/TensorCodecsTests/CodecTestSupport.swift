import RoPE
import TensorCodecs

/// Helpers shared by the codec tests: parse text bodies and capture typed errors.
enum CodecTestSupport {
    /// Parses a JSON body given as text.
    static func parseJSON(_ text: String, tensorFields: Set<String> = ["embeddings"],
                          limits: CodecLimits = CodecLimits()) throws(CodecError) -> JSONRequestBody {
        try parseJSON(Array(text.utf8), tensorFields: tensorFields, limits: limits)
    }

    /// Parses a JSON body given as bytes.
    static func parseJSON(_ bytes: [UInt8], tensorFields: Set<String> = ["embeddings"],
                          limits: CodecLimits = CodecLimits()) throws(CodecError) -> JSONRequestBody {
        do {
            return try bytes.withUnsafeBytes { raw in
                try JSONRequestReader.parse(raw, tensorFields: tensorFields, limits: limits)
            }
        } catch let error as CodecError {
            throw error
        } catch {
            fatalError("unexpected error type \(error)")
        }
    }

    /// The error parsing `text` throws, or nil when it parses.
    static func jsonError(_ text: String, tensorFields: Set<String> = ["embeddings"],
                          limits: CodecLimits = CodecLimits()) -> CodecError? {
        jsonError(Array(text.utf8), tensorFields: tensorFields, limits: limits)
    }

    /// The error parsing `bytes` throws, or nil when it parses.
    static func jsonError(_ bytes: [UInt8], tensorFields: Set<String> = ["embeddings"],
                          limits: CodecLimits = CodecLimits()) -> CodecError? {
        do {
            _ = try parseJSON(bytes, tensorFields: tensorFields, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    /// The bytes a JSONWriter produced, as text.
    static func text(of buffer: consuming ResponseBuffer) -> String {
        buffer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// The bytes of a buffer.
    static func bytes(of buffer: consuming ResponseBuffer) -> [UInt8] {
        buffer.withUnsafeBytes { Array($0) }
    }

    /// Writes `values` shaped `shape` as the JSON body `{"embeddings": ...}`.
    static func jsonBody(_ values: [Float], shape: [Int]) -> [UInt8] {
        var writer = JSONWriter(capacity: 16)
        writer.beginObject()
        writer.key("embeddings")
        values.withUnsafeBufferPointer { writer.tensor($0, shape: shape) }
        writer.endObject()
        return bytes(of: writer.finish())
    }

    /// Writes `values` shaped `shape` as a float32 .npy file.
    static func npyFile(_ values: [Float], shape: [Int]) -> [UInt8] {
        values.withUnsafeBufferPointer { pointer in
            bytes(of: NPYWriter.write(pointer, shape: shape))
        }
    }

    /// Reads an .npy file, returning the tensor or the error.
    static func readNPY(_ bytes: [UInt8], limits: CodecLimits = CodecLimits()) -> Result<Tensor, CodecError> {
        bytes.withUnsafeBytes { raw in
            do throws(CodecError) {
                return .success(try NPYReader.read(raw, field: "embeddings", limits: limits))
            } catch {
                return .failure(error)
            }
        }
    }
}

/// A small deterministic generator (SplitMix64) so a failing random case can be reproduced from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A random finite Float drawn from all bit patterns (so subnormals and extremes are as likely as 1.0).
    mutating func finiteFloat() -> Float {
        while true {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: next()))
            if value.isFinite { return value }
        }
    }
}

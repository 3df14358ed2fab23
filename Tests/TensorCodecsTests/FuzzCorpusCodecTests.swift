import Foundation
import RoPE
import TensorCodecs
import Testing

/// Replays the codec corpora of the fuzz targets (fuzz/corpus/json, fuzz/corpus/npy) through the readers the
/// libFuzzer targets call, so the normal suite guards what fuzzing covered. (The request and query corpora go
/// through the router: RoPEServerTests' FuzzRegressionTests.)
@Suite("Fuzz corpus regressions: codecs")
struct FuzzCorpusCodecTests {
    /// The inputs of one fuzz target's corpus, by file name.
    static func corpus(_ target: String) -> [[UInt8]] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../fuzz/corpus/\(target)").standardizedFileURL
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.sorted { $0.lastPathComponent < $1.lastPathComponent }
            .compactMap { try? Array(Data(contentsOf: $0)) }
    }

    @Test("the json and npy corpora have seeds")
    func corporaExist() {
        for target in ["json", "npy"] {
            #expect(Self.corpus(target).count >= 10, "fuzz/corpus/\(target)")
        }
    }

    @Test("the JSON corpus parses or fails with a located error; accepted tensors are consistent")
    func jsonCorpus() {
        for input in Self.corpus("json") {
            input.withUnsafeBytes { bytes in
                do throws(CodecError) {
                    let body = try JSONRequestReader.parse(bytes, tensorFields: ["embeddings", "queries", "keys"],
                                                           limits: CodecLimits())
                    for tensor in body.tensors.values {
                        #expect(tensor.shape.reduce(1, *) == tensor.values.count)
                        #expect(tensor.values.allSatisfy { $0.isFinite })
                    }
                } catch {
                    #expect(!error.message.isEmpty)
                    #expect((error.offset ?? 0) <= bytes.count)
                }
            }
        }
    }

    @Test("the .npy corpus reads or fails with an error naming the field")
    func npyCorpus() {
        for input in Self.corpus("npy") {
            input.withUnsafeBytes { bytes in
                do throws(CodecError) {
                    let tensor = try NPYReader.read(bytes, field: "embeddings", limits: CodecLimits())
                    #expect(tensor.shape.reduce(1, *) == tensor.values.count)
                } catch {
                    #expect(error.message.hasPrefix("embeddings: "), "\(error.message)")
                }
            }
        }
    }
}

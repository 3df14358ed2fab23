// Shared by the `request` and `query` fuzz targets: the real router (RoPEService.router, the handlers the server
// runs) with small limits so one input stays cheap, and the checks every response must pass whatever the input:
// a status from openapi.yaml (200, 400, 413, 415, 422 here), JSON error bodies with string `error` and `error_type`,
// JSON success bodies that parse, .npy success bodies that read back.
import RoPE
import RoPEServer
import TensorCodecs

#if canImport(Glibc)
import Glibc
#endif

enum RouterHarness {
    /// Limits small enough that no accepted input can take long, large enough for every code path.
    static let configuration: ServerConfiguration = {
        var configuration = ServerConfiguration()
        configuration.threads = 1
        configuration.parallelThreshold = 1 << 12
        configuration.limits.maxTensorElements = 1 << 12
        configuration.limits.maxDimension = 256
        configuration.limits.maxSequenceLength = 1 << 10
        configuration.limits.maxAttentionScores = 1 << 14
        configuration.limits.maxJSONDepth = 32
        configuration.limits.maxNumberLength = 128
        return configuration
    }()

    static let router = RoPEService.router(context: ServiceContext(
        configuration: configuration, engine: Engine(parallelThreshold: configuration.parallelThreshold),
        openAPIDocument: nil))

    static let allowedStatuses: Set<Int> = [200, 400, 413, 415, 422]

    /// Whether `bytes` contains the UTF-8 of `text`.
    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if bytes[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    /// Whether `value` is null or holds one.
    static func containsNull(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .array(let elements): elements.contains(where: containsNull)
        case .object(let object): object.members.contains { containsNull($0.value) }
        default: false
        }
    }

    /// Routes `request` and checks the response; aborts (a libFuzzer crash) when an invariant breaks.
    static func run(_ request: HTTPRequest, describe: () -> String) {
        let response = router.respond(to: request)
        let status = response.status
        let contentType = response.contentType
        let body = response.body.withUnsafeBytes { Array($0) }
        func fail(_ message: String) -> Never {
            let text = String(decoding: body.prefix(300), as: UTF8.self)
            fputs("fuzz invariant broken: \(message)\nrequest: \(describe())\nresponse \(status): \(text)\n", stderr)
            abort()
        }
        guard allowedStatuses.contains(status) else { fail("unexpected status \(status)") }
        switch contentType {
        case "application/x-npy":
            guard status == 200, request.responseFormat(offered: [.json, .npy]) == .npy else {
                fail(".npy body without asking")
            }
            // Attention scores may hold -inf (causal mask), which the reader rightly refuses; rotations may not.
            if request.path == "/rotate" {
                let problem: String? = body.withUnsafeBytes { file in
                    do throws(CodecError) {
                        _ = try NPYReader.read(file, field: "result", limits: CodecLimits())
                        return nil
                    } catch {
                        return "the .npy response does not read back: \(error.message)"
                    }
                }
                if let problem { fail(problem) }
            }
        case "image/svg+xml":
            guard status == 200, request.responseFormat(offered: [.json, .svg]) == .svg else {
                fail("SVG body without asking")
            }
            if !body.starts(with: Array("<svg".utf8)) { fail("the SVG body does not start with <svg") }
        case "application/json":
            let parsed: Result<JSONRequestBody, CodecError> = body.withUnsafeBytes { bytes in
                var limits = CodecLimits()
                limits.maxNestingDepth = 1 << 20
                limits.maxTensorElements = Int.max
                do throws(CodecError) {
                    return .success(try JSONRequestReader.parse(bytes, tensorFields: [], limits: limits))
                } catch {
                    return .failure(error)
                }
            }
            let object: JSONObject
            switch parsed {
            case .success(let decoded): object = decoded.fields
            case .failure(let error): fail("the response is not a JSON object: \(error.message)")
            }
            if status == 200 {
                if object["error"] != nil { fail("200 with an error member") }
                // null stands only for a masked attention score; anywhere else it is an infinity or NaN leaking out.
                if body.starts(with: Array("{\"scores\"".utf8)) {
                    let causal = Array(request.body)
                    if contains(body, "null") && !contains(causal, "\"causal\"") { fail("null score without causal") }
                } else {
                    // Elsewhere null marks only what the contract leaves undefined: the wavelength of a zero
                    // frequency, and /spectrum's unknown original context, float16 overflow, absent switch slots.
                    let nullable: Set<String> = request.path == "/spectrum"
                        ? ["original_context", "wavelengths", "rotations_original", "summary", "precision"]
                        : ["wavelengths"]
                    for (key, value) in object.members where !nullable.contains(key) && containsNull(value) {
                        fail("null in '\(key)' of a 200 response")
                    }
                }
            } else {
                guard case .string(let message)? = object["error"], !message.isEmpty,
                      case .string(let type)? = object["error_type"], !type.isEmpty else {
                    fail("error response without string 'error' and 'error_type'")
                }
            }
        default:
            fail("content type \(contentType)")
        }
    }
}

// libFuzzer target: a query string, split into items the way libmicrohttpd hands them over ('&' between items,
// the first '=' between name and value, no '=' meaning an empty value), through the real router: GET /frequencies,
// GET /decay, GET /spectrum, and POST /rotate with a small .npy body whose parameters all come from the query string.
//
// Input layout: byte 0 picks the route (bits 0-1; bit 4: GET /spectrum), whether the client asks for .npy / SVG
// (bit 2) and whether the .npy body of /rotate carries a second array, int64 M-RoPE positions of shape [3, 2]
// (bit 3); the rest is the query string. RouterHarness checks the response.
import RoPEServer
import TensorCodecs

/// A float32 .npy of shape (2, 2, 4): two rows of two tokens.
private let npyBody: [UInt8] = {
    let values: [Float] = (0..<16).map { Float($0) * 0.25 - 1 }
    var buffer: ResponseBuffer?
    values.withUnsafeBufferPointer { buffer = NPYWriter.write($0, shape: [2, 2, 4]) }
    return buffer.take()!.withUnsafeBytes { Array($0) }
}()

/// Splits a query string into (name, value) items.
func queryItems(_ text: Substring) -> [(name: String, value: String)] {
    guard !text.isEmpty else { return [] }
    return text.split(separator: "&", omittingEmptySubsequences: false).map { item in
        if let equals = item.firstIndex(of: "=") {
            return (String(item[..<equals]), String(item[item.index(after: equals)...]))
        }
        return (String(item), "")
    }
}

/// `npyBody` followed by a version 1.0 .npy of int64 3-axis positions of shape [3, 2] (t, h, w of the two tokens).
private let npyBodyWithMRoPEPositions: [UInt8] = {
    var text = "{'descr': '<i8', 'fortran_order': False, 'shape': (3, 2), }"
    while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }  // the header ends in a newline at a multiple of 64
    let header = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.utf8.count + 1), 0] + Array(text.utf8) + [0x0A]
    let positions: [Int64] = [0, 1, 0, 2, 0, 3]
    let data = positions.flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
    return npyBody + header + data
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let selector = data[0]
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let query = queryItems(text[...])
    let alternative = selector & 4 != 0
    if selector & 16 != 0 {
        let headers = alternative ? ["Accept": "image/svg+xml"] : [:]
        let request = HTTPRequest(method: "GET", path: "/spectrum", query: query, headers: headers)
        RouterHarness.run(request) { "GET /spectrum?\(text) \(headers)" }
        return 0
    }
    switch selector & 3 {
    case 0, 3:
        let path = selector & 3 == 0 ? "/frequencies" : "/decay"
        let headers = alternative && path == "/decay" ? ["Accept": "image/svg+xml"] : [:]
        let request = HTTPRequest(method: "GET", path: path, query: query, headers: headers)
        RouterHarness.run(request) { "GET \(path)?\(text)" }
    default:
        var headers = ["Content-Type": "application/x-npy"]
        if alternative { headers["Accept"] = "application/x-npy" }
        let body = selector & 8 != 0 ? npyBodyWithMRoPEPositions : npyBody
        body.withUnsafeBytes { body in
            let request = HTTPRequest(method: "POST", path: "/rotate", query: query, headers: headers, body: body)
            RouterHarness.run(request) { "POST /rotate?\(text) \(headers)" }
        }
    }
    return 0
}

// libFuzzer target: a query string, split into items the way libmicrohttpd hands them over ('&' between items,
// the first '=' between name and value, no '=' meaning an empty value), through the real router: GET /frequencies,
// GET /decay, and POST /rotate with a small .npy body whose parameters all come from the query string.
//
// Input layout: byte 0 picks the route (bits 0-1) and whether the client asks for .npy / SVG (bit 2); the rest is
// the query string. RouterHarness checks the response.
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

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let selector = data[0]
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let query = queryItems(text[...])
    let alternative = selector & 4 != 0
    switch selector & 3 {
    case 0, 3:
        let path = selector & 3 == 0 ? "/frequencies" : "/decay"
        let headers = alternative && path == "/decay" ? ["Accept": "image/svg+xml"] : [:]
        let request = HTTPRequest(method: "GET", path: path, query: query, headers: headers)
        RouterHarness.run(request) { "GET \(path)?\(text)" }
    default:
        var headers = ["Content-Type": "application/x-npy"]
        if alternative { headers["Accept"] = "application/x-npy" }
        npyBody.withUnsafeBytes { body in
            let request = HTTPRequest(method: "POST", path: "/rotate", query: query, headers: headers, body: body)
            RouterHarness.run(request) { "POST /rotate?\(text) \(headers)" }
        }
    }
    return 0
}

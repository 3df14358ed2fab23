// libFuzzer target: a request body through the real router, exactly as the server runs it (decoding in
// RotateRequest / AttentionRequest / FrequenciesRequest, the engine, the JSON or .npy writer).
//
// Input layout: byte 0 picks the endpoint (bits 0-1: /rotate, /attention, POST /frequencies, POST /spectrum),
// whether the client asks for .npy (bit 2; SVG for /spectrum) and whether the body is sent as .npy instead of JSON
// (bit 3: a /rotate .npy body is rotated in the memory it arrived in, NPYFloat32File); the remaining bytes are the
// body. RouterHarness checks the response.
import RoPEServer

private let paths = ["/rotate", "/attention", "/frequencies", "/spectrum"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let selector = data[0]
    let path = paths[Int(selector & 3)]
    var headers = ["Content-Type": selector & 8 != 0 ? "application/x-npy" : "application/json"]
    if selector & 4 != 0 { headers["Accept"] = path == "/spectrum" ? "image/svg+xml" : "application/x-npy" }
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let request = HTTPRequest(method: "POST", path: path, headers: headers, body: body)
    RouterHarness.run(request) { "POST \(path) \(headers) \(String(decoding: body.prefix(300), as: UTF8.self))" }
    return 0
}

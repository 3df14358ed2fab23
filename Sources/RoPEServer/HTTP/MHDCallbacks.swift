import CMicroHTTPD
import Foundation

// The C entry points libmicrohttpd calls. They capture nothing: the server travels through `cls`,
// each request's state through `*con_cls` (retained here, released in `mhdRequestCompleted`).

/// The access handler: called first with the headers, then once per body chunk, then once with no data.
func mhdAccessHandler(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, url: UnsafePointer<CChar>?,
    method: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?, uploadData: UnsafePointer<CChar>?,
    uploadDataSize: UnsafeMutablePointer<Int>?, requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let requestContext, let uploadDataSize else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()

    guard let existing = requestContext.pointee else {
        // First call: headers only. Answering now would make MHD close the connection, so wait for the body
        // (or the next call), except when the declared body is already over the limit.
        let limit = server.configuration.limits.maxBodyBytes
        let declared = header(connection, "Content-Length").flatMap { Int($0) }
        let pending = PendingRequest(method: method.map { String(cString: $0) } ?? "",
                                     url: url.map { String(cString: $0) } ?? "/",
                                     expectedLength: declared, limit: limit)
        if let declared, declared > limit {
            pending.rejection = .tooLarge("request body of \(declared) bytes exceeds the limit of \(limit) bytes (max_body_bytes)")
        }
        server.inFlight.add(1, ordering: .relaxed)
        requestContext.pointee = Unmanaged.passRetained(pending).toOpaque()
        if let rejection = pending.rejection {
            return queue(.error(rejection), on: connection)
        }
        return .YES
    }

    let pending = Unmanaged<PendingRequest>.fromOpaque(existing).takeUnretainedValue()
    if pending.rejection != nil {
        // Already answered; swallow whatever body still arrives.
        uploadDataSize.pointee = 0
        return .YES
    }
    if uploadDataSize.pointee > 0, let uploadData {
        pending.append(uploadData, count: uploadDataSize.pointee)
        uploadDataSize.pointee = 0
        return .YES
    }
    if let overflow = pending.overflow {
        return queue(.error(overflow), on: connection)
    }
    let request = HTTPRequest(method: pending.method, path: path(of: pending.url),
                              query: queryItems(connection), headers: headers(connection), body: pending.body)
    return queue(server.router.respond(to: request), on: connection)
}

/// Releases the request's state once libmicrohttpd is done with it (answered, timed out or the client left).
func mhdRequestCompleted(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?,
    requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, reason: MHD_RequestTerminationCode
) {
    guard let cls, let requestContext, let existing = requestContext.pointee else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    Unmanaged<PendingRequest>.fromOpaque(existing).release()
    requestContext.pointee = nil
    server.inFlight.subtract(1, ordering: .relaxed)
}

/// Hands a response to libmicrohttpd, which takes ownership of the malloc'd body.
private func queue(_ response: consuming HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
    let status = response.status
    let contentType = response.contentType
    let extraHeaders = response.headers
    let (pointer, count) = response.body.detach()
    guard let mhdResponse = MHD_create_response_from_buffer(count, pointer, .RESPMEM_MUST_FREE) else {
        free(pointer)
        return .NO
    }
    defer { MHD_destroy_response(mhdResponse) }
    _ = MHD_add_response_header(mhdResponse, "Content-Type", contentType)
    for (name, value) in extraHeaders {
        _ = MHD_add_response_header(mhdResponse, name, value)
    }
    return MHD_queue_response(connection, UInt32(status), mhdResponse)
}

private func header(_ connection: OpaquePointer, _ name: String) -> String? {
    MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
}

private func path(of url: String) -> String {
    // MHD passes the path without the query string already; keep a guard for clients that send odd targets.
    url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? url
}

/// A box that collects key/value pairs from MHD_get_connection_values.
private final class PairCollector {
    var pairs: [(name: String, value: String)] = []
}

private func collectPair(cls: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?,
                         value: UnsafePointer<CChar>?) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let collector = Unmanaged<PairCollector>.fromOpaque(cls).takeUnretainedValue()
    collector.pairs.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
    return .YES
}

private func pairs(_ connection: OpaquePointer, kind: MHD_ValueKind) -> [(name: String, value: String)] {
    let collector = PairCollector()
    withExtendedLifetime(collector) {
        _ = MHD_get_connection_values(connection, kind, collectPair, Unmanaged.passUnretained(collector).toOpaque())
    }
    return collector.pairs
}

private func queryItems(_ connection: OpaquePointer) -> [(name: String, value: String)] {
    pairs(connection, kind: .GET_ARGUMENT_KIND)
}

private func headers(_ connection: OpaquePointer) -> [String: String] {
    Dictionary(pairs(connection, kind: .HEADER_KIND), uniquingKeysWith: { first, _ in first })
}

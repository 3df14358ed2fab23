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
        // First call: headers only. Answering now makes MHD close the connection, so only requests refused from
        // their headers alone are answered here; the rest wait for the body (or the next call).
        let client = MHDConnection(pointer: connection)
        let pending = PendingRequest(method: method.map { String(cString: $0) } ?? "",
                                     url: url.map { String(cString: $0) } ?? "/",
                                     requestID: requestID(from: client.header("X-Request-Id"),
                                                          generator: server.runtime.requestIDs),
                                     expectedLength: client.header("Content-Length").flatMap { Int($0) },
                                     limit: server.configuration.limits.maxBodyBytes, gate: server.steps.admission)
        requestContext.pointee = Unmanaged.passRetained(pending).toOpaque()
        let decision = server.steps.headersArrived(pending, path: pending.path, connection: client)
        return follow(decision, pending, connection, server)
    }

    let pending = Unmanaged<PendingRequest>.fromOpaque(existing).takeUnretainedValue()
    if pending.rejection != nil {
        // Already answered; swallow whatever body still arrives.
        uploadDataSize.pointee = 0
        return .YES
    }
    let client = MHDConnection(pointer: connection)
    if let step = server.steps.admission.continuing(pending, chunk: uploadDataSize.pointee, connection: client) {
        defer { if step.dropsChunk { uploadDataSize.pointee = 0 } }
        return follow(step.decision, pending, connection, server)
    }
    if uploadDataSize.pointee > 0, let uploadData {
        pending.append(uploadData, count: uploadDataSize.pointee)
        uploadDataSize.pointee = 0
        server.steps.admission.bodyGrew(pending, connection: client)
        return .YES
    }
    if let overflow = pending.overflow {
        return answer(.error(overflow), to: pending, on: connection, server: server)
    }
    if pending.readyResponse != nil {
        return answer(pending.readyResponse.take()!, to: pending, on: connection, server: server)
    }
    if pending.isComputing { return .YES }
    var request = HTTPRequest(method: pending.method, path: pending.path, query: queryItems(connection),
                              lowercasedHeaders: headers(connection), body: pending.body)
    request.bodyOwner = pending
    if server.heavyPool.takes(reservedBytes: pending.admission.reservedBytes) {
        computeElsewhere(request, pending, connection, server)
        return .YES
    }
    return answer(server.router.respond(to: request), to: pending, on: connection, server: server)
}

/// Carries what a pool thread needs across to it; the connection stays suspended meanwhile, so no other thread
/// touches the request.
private struct HandOver: @unchecked Sendable {
    let request: HTTPRequest
    let pending: PendingRequest
    let connection: MHDConnection
}

/// Suspends the connection and computes the answer on the heavy-request pool, which resumes the connection; the
/// next call of the access handler queues the answer (inline when the pool is stopping).
private func computeElsewhere(_ request: HTTPRequest, _ pending: PendingRequest, _ connection: OpaquePointer,
                              _ server: HTTPServer) {
    pending.isComputing = true
    MHD_suspend_connection(connection)
    let handOver = HandOver(request: request, pending: pending, connection: MHDConnection(pointer: connection))
    let router = server.router
    let job: @Sendable () -> Void = {
        handOver.pending.readyResponse = router.respond(to: handOver.request)
        handOver.pending.isComputing = false
        handOver.connection.resume()
    }
    if !server.heavyPool.submit(job) { job() }
}

/// Carries out the steps' decision in the access handler.
private func follow(_ decision: AdmissionDecision, _ pending: PendingRequest, _ connection: OpaquePointer,
                    _ server: HTTPServer) -> MHD_Result {
    switch decision {
    case .proceed, .suspended, .discardBody:
        return .YES
    case .refuse(let error):
        pending.rejection = error
        return answer(.error(error), to: pending, on: connection, server: server)
    }
}

/// Releases the request's state once libmicrohttpd is done with it (answered, timed out or the client left).
func mhdRequestCompleted(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?,
    requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, reason: MHD_RequestTerminationCode
) {
    guard let cls, let requestContext, let existing = requestContext.pointee else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    let pending = Unmanaged<PendingRequest>.fromOpaque(existing)
    server.steps.completed(pending.takeUnretainedValue())
    pending.release()
    requestContext.pointee = nil
}

/// Counts open connections, so that the ones over the limit can be told 503 in JSON.
func mhdConnectionNotified(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?,
    socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, code: MHD_ConnectionNotificationCode
) {
    guard let cls else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    server.steps.metrics.connectionChanged(by: code == .CONNECTION_NOTIFY_STARTED ? 1 : -1)
}

/// Hands a response to the steps (admission, metrics, log) and queues it; libmicrohttpd takes ownership of the
/// malloc'd body.
private func answer(_ response: consuming HTTPResponse, to pending: PendingRequest, on connection: OpaquePointer,
                    server: HTTPServer) -> MHD_Result {
    let status = response.status
    let contentType = response.contentType
    let extraHeaders = response.headers
    let errorType = response.errorType
    let (pointer, count) = response.body.detach()
    server.steps.responded(pending, path: pending.path, status: status, responseBytes: count,
                           errorType: errorType)
    guard let mhdResponse = MHD_create_response_from_buffer(count, pointer, .RESPMEM_MUST_FREE) else {
        free(pointer)
        return .NO
    }
    defer { MHD_destroy_response(mhdResponse) }
    _ = MHD_add_response_header(mhdResponse, "Content-Type", contentType)
    _ = MHD_add_response_header(mhdResponse, "X-Request-Id", pending.requestID)
    for (name, value) in extraHeaders {
        _ = MHD_add_response_header(mhdResponse, name, value)
    }
    if server.runtime.isDraining || pending.rejection != nil {
        // Tell keep-alive clients to go elsewhere; a refused request's body may still be in flight.
        _ = MHD_add_response_header(mhdResponse, "Connection", "close")
    }
    return MHD_queue_response(connection, UInt32(status), mhdResponse)
}

/// The client's request id when it is short printable ASCII, else a fresh one.
private func requestID(from header: String?, generator: RequestIDGenerator) -> String {
    if let header, (1...128).contains(header.utf8.count),
       header.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
        return header
    }
    return generator.next()
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

private func queryItems(_ connection: OpaquePointer) -> [(name: String, value: String)] {
    let collector = PairCollector()
    withExtendedLifetime(collector) {
        _ = MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, collectPair,
                                      Unmanaged.passUnretained(collector).toOpaque())
    }
    return collector.pairs
}

/// A box that collects headers from MHD_get_connection_values, names lower-cased, the first of repeated names kept.
private final class HeaderCollector {
    var headers: [String: String] = Dictionary(minimumCapacity: 8)
}

private func collectHeader(cls: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?,
                           value: UnsafePointer<CChar>?) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let collector = Unmanaged<HeaderCollector>.fromOpaque(cls).takeUnretainedValue()
    let lowercased = String(asciiLowercasing: UnsafeRawBufferPointer(start: key, count: strlen(key)))
    if collector.headers[lowercased] == nil {
        collector.headers[lowercased] = value.map { String(cString: $0) } ?? ""
    }
    return .YES
}

private func headers(_ connection: OpaquePointer) -> [String: String] {
    let collector = HeaderCollector()
    withExtendedLifetime(collector) {
        _ = MHD_get_connection_values(connection, .HEADER_KIND, collectHeader,
                                      Unmanaged.passUnretained(collector).toOpaque())
    }
    return collector.headers
}

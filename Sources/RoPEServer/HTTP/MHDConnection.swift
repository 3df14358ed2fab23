import CMicroHTTPD

/// A libmicrohttpd connection as the steps see it (`RequestConnection`): header lookups, suspend and resume.
/// libmicrohttpd lets `MHD_resume_connection` be called from any thread, hence the unchecked `Sendable`.
struct MHDConnection: RequestConnection, @unchecked Sendable {
    let pointer: OpaquePointer

    func header(_ name: String) -> String? {
        MHD_lookup_connection_value(pointer, .HEADER_KIND, name).map { String(cString: $0) }
    }

    func suspend() { MHD_suspend_connection(pointer) }

    func resume() { MHD_resume_connection(pointer) }
}

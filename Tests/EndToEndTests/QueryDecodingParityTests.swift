import Foundation
import RoPEServerTestSupport
import Testing

/// The in-process transport decodes a request target as libmicrohttpd does: every target here gets the same status
/// and the same body through the router as over a socket, and the names in the errors show the decoding.
@Suite("Query strings decode alike in process and over a socket")
struct QueryDecodingParityTests {
    /// A target, and text its answer must contain (an error naming the decoded key, or a 200's field).
    static let targets: [(target: String, mentions: String)] = [
        ("/frequencies?dim=%38&seq_len=2", "\"cos\""),                 // %XX in a value
        ("/fr%65quencies?dim=8", "\"inv_freq\""),                       // %XX in the path
        ("/frequencies?dim=8&layout=h%61lf", "\"inv_freq\""),
        ("/frequencies?dim=8&a%2Bb+c=1", "'a+b c'"),                    // + is a space, %2B a plus
        ("/frequencies?dim=8&flag", "'flag'"),                          // a key without '=' (empty value)
        ("/frequencies?dim=8&&x=1", "''"),                              // an empty item is an empty key
        ("/frequencies?=1&dim=8", "''"),
        ("/frequencies?dim=8&x%zz=1", "'x%zz'"),                        // no hex digits: '%' stays
        ("/frequencies?dim=8&x%00y=1", "'x'"),                          // a decoded NUL ends the key
        ("/frequencies?dim=8&%C3%A9=1", "'é'"),
        ("/frequencies?dim=8&", "\"inv_freq\""),                        // a trailing '&' adds nothing
        ("/frequencies?dim=8&layout=", "layout"),
    ]

    @Test("each target: same status and body both ways, naming what the decoding gives")
    func sameAnswers() throws {
        let server = try TestServer()
        defer { server.stop() }
        let api = RouterTransport()
        for (target, mentions) in Self.targets {
            let overSocket = try server.request("GET", target)
            let inProcess = try api.request("GET", target)
            #expect(inProcess.status == overSocket.status, "\(target)")
            #expect(inProcess.bodyText == overSocket.bodyText, "\(target)")
            #expect(overSocket.bodyText.contains(mentions), "\(target): \(overSocket.bodyText.prefix(200))")
        }
    }

    @Test("RequestTarget splits and decodes as libmicrohttpd 0.9.75's MHD_parse_arguments_ does")
    func decoding() {
        let target = RequestTarget("/a%2Fb?x=1+2&y&&%7A=%41%4&w=%00v")
        #expect(target.path == "/a/b")
        #expect(target.query == [.init(name: "x", value: "1 2"), .init(name: "y", value: ""),
                                 .init(name: "", value: ""), .init(name: "z", value: "A%4"),
                                 .init(name: "w", value: "")])
        #expect(RequestTarget("/health?").query.isEmpty)
        #expect(RequestTarget("/p?a=b=c").query == [.init(name: "a", value: "b=c")])
    }
}

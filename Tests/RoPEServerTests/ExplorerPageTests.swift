import Foundation
import Testing
import RoPE
@testable import RoPEServer
import RoPEServerTestSupport

/// The explorer page at /: served with a Content-Security-Policy that names its inline code by SHA-256. (Behind the
/// API key, as a bearer token or as the password of a browser's Basic credentials: EndToEndTests' OperationsTests.)
@Suite("Explorer page")
struct ExplorerPageTests {
    private static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test("SHA-256 matches the FIPS 180-4 examples (one block, two blocks, empty)")
    func sha256() {
        #expect(Self.hex(SHA256.digest(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex(SHA256.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Self.hex(SHA256.digest([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // 55, 56 and 64 bytes: the padding boundaries.
        #expect(Self.hex(SHA256.digest([UInt8](repeating: 0x61, count: 56)))
                == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }

    @Test("the policy allows exactly the page's inline script and style, by hash, and nothing from elsewhere")
    func policy() {
        // References: Python's hashlib.sha256 of the element texts, base64.
        let page = ExplorerPage(html: "<html><style>a{color:red}</style><body><script>x()</script></body></html>")
        let script = "'sha256-D6IGS8VMvCoyaR/l0h9tERrBTATY01CoPS7l6xDv0kI='"
        #expect(page.contentSecurityPolicy.contains("script-src \(script)"))
        #expect(page.contentSecurityPolicy.contains("style-src 'sha256-6hWWMOcF+mJesSJGYhmK2lkIIEw9Xc5XKGLPVzh8yxs='"))
        #expect(page.contentSecurityPolicy.hasPrefix("default-src 'none'; "))
        #expect(page.contentSecurityPolicy.contains("connect-src 'self'"))
        #expect(!page.contentSecurityPolicy.contains("unsafe"))
        #expect(ExplorerPage(html: "<p>no code</p>").contentSecurityPolicy.contains("script-src 'none'"))
    }

    @Test("the repository's page has one inline script and style, no attributes on them, and names no other host")
    func repositoryPage() throws {
        let html = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("web/explorer.html"),
                              encoding: .utf8)
        #expect(ExplorerPage.elementTexts(named: "script", in: html).count == 1)
        #expect(ExplorerPage.elementTexts(named: "style", in: html).count == 1)
        #expect(html.components(separatedBy: "<script").count == 2 && html.components(separatedBy: "<style").count == 2)
        #expect(!html.contains("src="), "the page loads nothing")
        // The only URL is the SVG namespace name (an identifier, never fetched).
        let urls = html.components(separatedBy: "://").count - 1
        #expect(urls == 1 && html.contains("\"http://www.w3.org/2000/svg\""))
    }

    @Test("GET / serves the page as HTML with its policy; HEAD has the headers and no body")
    func served() throws {
        let api = RouterTransport()
        let page = try api.request("GET", "/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.bodyText.hasPrefix("<!doctype html>"))
        let expected = ExplorerPage(html: page.bodyText).contentSecurityPolicy
        #expect(page.headers["content-security-policy"] == expected)
        #expect(page.headers["x-content-type-options"] == "nosniff")
        let head = try api.request("HEAD", "/")
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == page.headers["content-length"])
        #expect(head.headers["content-security-policy"] == expected)
        #expect(try api.request("POST", "/", json: [:]).status == 405)
    }

    @Test("without the page file / is a JSON 404 naming the setting")
    func missing() throws {
        let configuration = ServerConfiguration()
        let router = RoPEService.router(context: ServiceContext(configuration: configuration, engine: Engine(),
                                                                openAPIDocument: nil))
        let request = HTTPRequest(method: "GET", path: "/")
        let response = router.respond(to: request)
        #expect(response.status == 404)
        #expect(response.errorType == "not_found")
    }
}

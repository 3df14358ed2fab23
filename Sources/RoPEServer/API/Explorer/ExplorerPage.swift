import Foundation

/// The explorer page served at `GET /`, with the Content-Security-Policy that lets only its own inline script and
/// style run: one `'sha256-...'` source per inline `<script>` and `<style>` element (CSP Level 2, hash sources).
public struct ExplorerPage: Sendable {
    /// The HTML document.
    public let html: String
    /// The `Content-Security-Policy` header value: nothing from anywhere but the page's own code and its own origin.
    public let contentSecurityPolicy: String

    /// Reads the page and hashes its inline `<script>` and `<style>` elements (which must carry no attributes, so the
    /// hashed text is exactly what the browser hashes: everything between the tags).
    public init(html: String) {
        self.html = html
        let scripts = Self.elementTexts(named: "script", in: html).map(Self.hashSource)
        let styles = Self.elementTexts(named: "style", in: html).map(Self.hashSource)
        contentSecurityPolicy = [
            "default-src 'none'",
            "script-src " + (scripts.isEmpty ? "'none'" : scripts.joined(separator: " ")),
            "style-src " + (styles.isEmpty ? "'none'" : styles.joined(separator: " ")),
            "connect-src 'self'", "img-src 'self' data:", "base-uri 'none'", "form-action 'none'",
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }

    /// The texts between `<name>` and `</name>`, in document order.
    static func elementTexts(named name: String, in html: String) -> [Substring] {
        var texts: [Substring] = []
        var rest = html[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest[open.upperBound...].range(of: "</\(name)>") {
            texts.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return texts
    }

    private static func hashSource(_ text: Substring) -> String {
        "'sha256-" + Data(SHA256.digest(Array(text.utf8))).base64EncodedString() + "'"
    }
}

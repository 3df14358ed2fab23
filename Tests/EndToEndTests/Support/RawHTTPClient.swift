import Foundation
import RoPEServerTestSupport

/// A minimal HTTP/1.1 client over a POSIX socket to 127.0.0.1, so tests control every byte they send
/// (wrong lengths, raw bodies, trickled data) and see exactly what the server answers.
final class RawHTTPClient {
    let port: Int
    private(set) var socketDescriptor: Int32 = -1

    init(port: Int, receiveTimeoutSeconds: Int = 30) throws {
        self.port = port
        socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw ClientError.socket("socket() failed: errno \(errno)") }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            close(socketDescriptor)
            // deinit runs for a class whose init throws after every property is set: without this it would close
            // the same number again, by then perhaps a socket of an in-process server (libmicrohttpd aborts when
            // its close fails).
            socketDescriptor = -1
            throw ClientError.socket("connect to 127.0.0.1:\(port) failed: errno \(error)")
        }
    }

    deinit { if socketDescriptor >= 0 { close(socketDescriptor) } }

    enum ClientError: Error, CustomStringConvertible {
        case socket(String)
        case protocolError(String)
        var description: String {
            switch self {
            case .socket(let message), .protocolError(let message): message
            }
        }
    }

    /// Sends raw bytes.
    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let result = bytes[sent...].withUnsafeBytes {
                Glibc.send(socketDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard result > 0 else { throw ClientError.socket("send failed: errno \(errno)") }
            sent += result
        }
    }

    /// Sends a request with a body and the usual headers.
    func request(_ method: String, _ target: String, body: [UInt8]? = nil, contentType: String? = "application/json",
                 headers: [String: String] = [:]) throws -> TestResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if let body {
            if let contentType { head += "Content-Type: \(contentType)\r\n" }
            head += "Content-Length: \(body.count)\r\n"
        }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + (body ?? []))
        return try readResponse(method: method)
    }

    /// Reads one response (Content-Length or chunked framing).
    func readResponse(method: String = "GET") throws -> TestResponse {
        var buffer: [UInt8] = []
        var headerEnd: Int?
        while headerEnd == nil {
            try receiveMore(into: &buffer)
            headerEnd = findHeaderEnd(buffer)
        }
        let headText = String(decoding: buffer[..<headerEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw ClientError.protocolError("bad status line in: \(headText.prefix(80))")
        }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] =
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(buffer[(headerEnd! + 4)...])
        if method == "HEAD" { return TestResponse(status: status, headers: headers, body: []) }
        if let lengthText = headers["content-length"], let length = Int(lengthText) {
            while body.count < length { try receiveMore(into: &body) }
            return TestResponse(status: status, headers: headers, body: Array(body.prefix(length)))
        }
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            return TestResponse(status: status, headers: headers, body: try readChunked(body))
        }
        // No framing: read until the server closes.
        while (try? receiveMore(into: &body)) != nil {}
        return TestResponse(status: status, headers: headers, body: body)
    }

    /// Everything the server sends until it closes the connection (a read returns 0 or fails), waiting up to
    /// `seconds` in all: what follows a response shows too (a repeated header block, a second response).
    func readUntilClosed(within seconds: Double = 10) -> Transcript {
        let deadline = Date().addingTimeInterval(seconds)
        var received: [UInt8] = []
        var closed = false
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while !closed, Date() < deadline {
            var pollDescriptor = pollfd(fd: socketDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&pollDescriptor, 1, 100) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { received += chunk[..<count] } else { closed = true }
        }
        return Transcript(bytes: received, closedByServer: closed)
    }

    /// Whether the server has closed the connection (a read returns 0), waiting up to `seconds`.
    func isClosedByPeer(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var byte: UInt8 = 0
        while Date() < deadline {
            var pollDescriptor = pollfd(fd: socketDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&pollDescriptor, 1, 100) > 0 {
                let count = recv(socketDescriptor, &byte, 1, 0)
                if count <= 0 { return true }
            }
        }
        return false
    }

    private func readChunked(_ initial: [UInt8]) throws -> [UInt8] {
        var data = initial
        var body: [UInt8] = []
        var position = 0
        while true {
            while findCRLF(data, from: position) == nil { try receiveMore(into: &data) }
            let lineEnd = findCRLF(data, from: position)!
            let sizeText = String(decoding: data[position..<lineEnd], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw ClientError.protocolError("bad chunk size")
            }
            position = lineEnd + 2
            if size == 0 { return body }
            while data.count < position + size + 2 { try receiveMore(into: &data) }
            body += data[position..<(position + size)]
            position += size + 2
        }
    }

    private func receiveMore(into buffer: inout [UInt8]) throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else {
            throw ClientError.socket(count == 0 ? "connection closed by server" : "recv failed: errno \(errno)")
        }
        buffer += chunk[..<count]
    }

    private func findHeaderEnd(_ buffer: [UInt8]) -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4) where buffer[index] == 13 && buffer[index + 1] == 10
            && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }

    private func findCRLF(_ buffer: [UInt8], from start: Int) -> Int? {
        guard buffer.count >= start + 2 else { return nil }
        for index in start...(buffer.count - 2) where buffer[index] == 13 && buffer[index + 1] == 10 { return index }
        return nil
    }
}

/// All the bytes a server sent on one connection, up to its close.
struct Transcript {
    var bytes: [UInt8]
    /// Whether the server closed the connection (rather than the wait running out).
    var closedByServer: Bool

    /// Status lines ("HTTP/1.x NNN ...") at the start of a line: one per response header block.
    var statusLineCount: Int {
        let marker = Array("HTTP/1.".utf8)
        guard bytes.count >= marker.count else { return 0 }
        return (0...(bytes.count - marker.count)).filter { index in
            (index == 0 || bytes[index - 1] == 10) && Array(bytes[index..<(index + marker.count)]) == marker
        }.count
    }

    /// The first response, framed by its Content-Length, and whatever the server sent after it.
    var firstResponse: (response: TestResponse, trailing: [UInt8])? {
        guard let headerEnd = (0..<max(0, bytes.count - 3)).first(where: {
            bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
        }) else { return nil }
        var lines = String(decoding: bytes[..<headerEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers[line[..<colon].lowercased()] =
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bodyStart = headerEnd + 4
        guard let length = headers["content-length"].flatMap({ Int($0) }), bodyStart + length <= bytes.count else {
            return nil
        }
        return (TestResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<(bodyStart + length)])),
                Array(bytes[(bodyStart + length)...]))
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

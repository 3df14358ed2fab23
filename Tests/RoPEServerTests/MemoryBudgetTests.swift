import Foundation
import RoPEServer
import Testing

/// The arithmetic of the memory budget: every endpoint's worst case, overflow, the ledger's classes and the default
/// budget from cgroup files.
@Suite("Memory budget arithmetic")
struct MemoryBudgetTests {
    private static let base = RequestMemoryEstimate.baseBytes

    private func estimate(_ method: String, _ path: String, body: Int, type: String? = "application/json",
                          npyAnswer: Bool = false, limits: ServerLimits = ServerLimits()) -> Int {
        RequestMemoryEstimate(method: method, path: path, bodyBytes: body, mediaType: type, answersNPY: npyAnswer,
                              limits: limits).bytes
    }

    @Test("POST /rotate JSON: body + 8 bytes per element parsed + 8 of coefficients + 36 per number of JSON text")
    func rotateJSON() {
        // A body of 1001 bytes holds at most 501 numbers ("1,1,...,1").
        #expect(estimate("POST", "/rotate", body: 1001) == Self.base + 1001 + 501 * 16 + 501 * 36)
        // Answered as .npy: 4 bytes per element instead of the text.
        #expect(estimate("POST", "/rotate", body: 1001, npyAnswer: true) == Self.base + 1001 + 501 * 16 + 501 * 4)
        // 55 MB of JSON, as the overload benchmark sends.
        #expect(estimate("POST", "/rotate", body: 55_000_000) == Self.base + 55_000_000 + 27_500_000 * 52)
    }

    @Test("POST /rotate .npy: rotated where received: body and coefficients, plus JSON text for a JSON answer")
    func rotateNPY() {
        let type = "application/x-npy"
        #expect(estimate("POST", "/rotate", body: 4096, type: type, npyAnswer: true) == Self.base + 4096 + 1024 * 8)
        #expect(estimate("POST", "/rotate", body: 4096, type: type) == Self.base + 4096 + 1024 * 8 + 1024 * 36)
    }

    @Test("the element count is capped by max_tensor_elements")
    func elementCap() {
        var limits = ServerLimits()
        limits.maxTensorElements = 100
        #expect(estimate("POST", "/rotate", body: 1_000_000, limits: limits) == Self.base + 1_000_000 + 100 * 52)
    }

    @Test("POST /attention: body + parsed + rotated copies (the scores are reserved by the handler)")
    func attention() {
        // 100 bytes of JSON: n <= 50.
        #expect(estimate("POST", "/attention", body: 100) == Self.base + 100 + 50 * 16)
        #expect(estimate("POST", "/attention", body: 100, npyAnswer: true) == Self.base + 100 + 50 * 16)
        // .npy: n = body / 4, parsed as 4 bytes each plus the rotated copies.
        #expect(estimate("POST", "/attention", body: 400, type: "application/x-npy") == Self.base + 400 + 100 * 12)
        var limits = ServerLimits()
        limits.maxTensorElements = 1000
        #expect(estimate("POST", "/attention", body: 1_000_000, limits: limits) == Self.base + 1_000_000 + 1000 * 16)
    }

    @Test("every other route: the body and the base charge (tables are reserved by their handlers)", arguments: [
        ("GET", "/health"), ("GET", "/metrics"), ("GET", "/info"), ("GET", "/frequencies"),
        ("POST", "/frequencies"), ("GET", "/decay"), ("POST", "/nowhere"), ("GET", "/rotate"),
    ])
    func otherRoutes(method: String, path: String) {
        #expect(estimate(method, path, body: 0) == Self.base)
        #expect(estimate(method, path, body: 777) == Self.base + 777)
    }

    @Test("GET /openapi.yaml: the base charge and a copy of the document")
    func document() {
        #expect(estimate("GET", "/openapi.yaml", body: 0) == Self.base + RequestMemoryEstimate.documentBytes)
    }

    @Test("products saturate at Int.max instead of trapping")
    func saturation() {
        var limits = ServerLimits()
        limits.maxTensorElements = Int.max
        #expect(estimate("POST", "/rotate", body: Int.max, limits: limits) == Int.max)
        #expect(estimate("POST", "/attention", body: Int.max / 2, limits: limits) == Int.max)
        #expect(estimate("POST", "/rotate", body: Int.max / 4, type: "application/x-npy", limits: limits) == Int.max)
        #expect(estimate("POST", "/rotate", body: -5) == Self.base)
    }

    @Test("the ledger: large requests leave an eighth of the budget to small ones, which never wait for them")
    func ledgerClasses() {
        var ledger = MemoryLedger(capacity: 8 << 20)   // headroom 1 MiB, small requests up to 64 KiB
        #expect(ledger.headroom == 1 << 20)
        #expect(ledger.smallRequestBytes == 64 << 10)
        #expect(ledger.isSmall(64 << 10) && !ledger.isSmall((64 << 10) + 1))
        var outcomes = [ledger.reserve(7 << 20)]        // a large one: exactly capacity - headroom
        #expect(!ledger.fits(100 << 10))                // no other large one fits
        for _ in 0..<16 { outcomes.append(ledger.reserve(64 << 10)) }   // 16 small ones fill the headroom
        #expect(outcomes.allSatisfy { $0 })
        #expect(ledger.reserved == 8 << 20)
        let beyond = ledger.reserve(1)
        #expect(!beyond)
        ledger.release(64 << 10)
        let again = ledger.reserve(64 << 10)
        #expect(again && ledger.peak == 8 << 20)
        #expect(!ledger.canEverAdmit((7 << 20) + 1))
        #expect(ledger.canEverAdmit(7 << 20))
    }

    @Test("the ledger grows a reservation only within its class's ceiling, and never below zero")
    func ledgerGrowth() {
        var ledger = MemoryLedger(capacity: 1000)   // headroom 125, small up to 7
        let outcomes = [ledger.reserve(500), ledger.grow(from: 500, to: 875), ledger.grow(from: 875, to: 876),
                        ledger.grow(from: 875, to: 800), ledger.grow(from: 0, to: Int.max)]
        #expect(outcomes == [true, true, false, true, false])
        #expect(ledger.reserved == 875)   // shrinking through grow changes nothing
        ledger.release(10_000)
        #expect(ledger.reserved == 0)
        ledger.resetPeak()
        #expect(ledger.peak == 0)
    }

    @Test("default budget: half the cgroup v2 limit, else v1, else physical memory; configured wins")
    func defaultBudget() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("memory"),
                                                withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let physical = 64 << 30
        #expect(ProcessMemoryLimit.read(cgroupRoot: root.path, physicalMemory: physical)
                == ProcessMemoryLimit(bytes: physical, fromCgroup: false))
        // v1: a real limit, then the "unlimited" value (far above physical memory).
        let v1 = root.appendingPathComponent("memory/memory.limit_in_bytes")
        try "4294967296\n".write(to: v1, atomically: true, encoding: .utf8)
        #expect(ProcessMemoryLimit.read(cgroupRoot: root.path, physicalMemory: physical)
                == ProcessMemoryLimit(bytes: 4 << 30, fromCgroup: true))
        try "9223372036854771712\n".write(to: v1, atomically: true, encoding: .utf8)
        #expect(ProcessMemoryLimit.read(cgroupRoot: root.path, physicalMemory: physical).fromCgroup == false)
        // v2 decides when present: "max" is no limit.
        try "max\n".write(to: root.appendingPathComponent("memory.max"), atomically: true, encoding: .utf8)
        #expect(ProcessMemoryLimit.read(cgroupRoot: root.path, physicalMemory: physical).fromCgroup == false)
        try "2147483648\n".write(to: root.appendingPathComponent("memory.max"), atomically: true, encoding: .utf8)
        let limit = ProcessMemoryLimit.read(cgroupRoot: root.path, physicalMemory: physical)
        #expect(limit == ProcessMemoryLimit(bytes: 2 << 30, fromCgroup: true))

        let derived = InflightBudget(configured: 0, processLimit: limit)
        #expect(derived.bytes == 1 << 30 && derived.source == .cgroup)
        let physicalOnly = InflightBudget(configured: 0,
                                          processLimit: ProcessMemoryLimit(bytes: physical, fromCgroup: false))
        #expect(physicalOnly.bytes == 32 << 30 && physicalOnly.source == .physicalMemory)
        let configured = InflightBudget(configured: 12345, processLimit: limit)
        #expect(configured.bytes == 12345 && configured.source == .configured)
    }
}

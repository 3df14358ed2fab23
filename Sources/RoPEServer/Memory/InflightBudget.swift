import Foundation

/// The memory budget for requests in flight, and where its value came from (shown by /info).
///
/// Configured (`max_inflight_bytes` > 0) it is that value; otherwise one half of the memory the process may use:
/// the cgroup's limit when there is one (v2 `memory.max`, else v1 `memory.limit_in_bytes`), else physical memory.
/// Half leaves the other half for what the budget does not count: the binary, thread stacks, libmicrohttpd's
/// per-connection pools, caches, and memory the allocator keeps between requests.
public struct InflightBudget: Sendable, Hashable {
    /// Where the value came from, as /info names it.
    public enum Source: String, Sendable, Hashable {
        case configured, cgroup
        case physicalMemory = "physical_memory"
    }

    /// The budget in bytes.
    public var bytes: Int
    /// Where it came from.
    public var source: Source

    /// The budget in force for a configured value (0 = the default) and the process's memory limit.
    public init(configured: Int, processLimit: ProcessMemoryLimit) {
        if configured > 0 {
            bytes = configured
            source = .configured
        } else {
            bytes = max(1, processLimit.bytes / 2)
            source = processLimit.fromCgroup ? .cgroup : .physicalMemory
        }
    }

    /// The budget in force for `limits`, with this process's memory limit (read once per process).
    public init(limits: ServerLimits) {
        self.init(configured: limits.maxInflightBytes, processLimit: .current)
    }
}

/// The memory this process may use: its cgroup's limit when one is set, else the machine's physical memory.
public struct ProcessMemoryLimit: Sendable, Hashable {
    /// The limit in bytes.
    public var bytes: Int
    /// Whether it is a cgroup limit (else physical memory).
    public var fromCgroup: Bool

    /// Creates a limit.
    public init(bytes: Int, fromCgroup: Bool) {
        self.bytes = bytes
        self.fromCgroup = fromCgroup
    }

    /// This process's limit, read once.
    public static let current = read(cgroupRoot: "/sys/fs/cgroup",
                                     physicalMemory: Int(clamping: ProcessInfo.processInfo.physicalMemory))

    /// The limit from the cgroup files under `cgroupRoot` (v2 `memory.max`, then v1 `memory/memory.limit_in_bytes`
    /// and `memory.limit_in_bytes`), else `physicalMemory`. "max", unreadable files and v1's "no limit" values
    /// (larger than physical memory) mean no cgroup limit.
    public static func read(cgroupRoot: String, physicalMemory: Int) -> ProcessMemoryLimit {
        let candidates = ["memory.max", "memory/memory.limit_in_bytes", "memory.limit_in_bytes"]
        for name in candidates {
            guard let text = try? String(contentsOfFile: cgroupRoot + "/" + name, encoding: .utf8) else { continue }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if let bytes = Int(value), bytes > 0, bytes < physicalMemory {
                return ProcessMemoryLimit(bytes: bytes, fromCgroup: true)
            }
            break  // "max" or an unlimited v1 value: the first file found decides
        }
        return ProcessMemoryLimit(bytes: physicalMemory, fromCgroup: false)
    }
}

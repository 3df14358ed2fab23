// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rope-server",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RoPE", targets: ["RoPE"]),
        .library(name: "TensorCodecs", targets: ["TensorCodecs"]),
        .library(name: "RoPEServer", targets: ["RoPEServer"]),
        .executable(name: "rope-server", targets: ["rope-server"]),
        .executable(name: "rope-bench", targets: ["rope-bench"]),
    ],
    targets: [
        // libmicrohttpd 0.9.75 built from Debian bookworm's source package plus our patches in deps/libmicrohttpd
        // (json-errors: its own error responses in JSON; error-callback: those errors reported to us; pool-no-memset;
        // accept-series), a static library installed as the pkg-config package libmicrohttpd-rope by
        // deps/libmicrohttpd/build, which scripts/install-deps runs. No `providers:` hint: no system package has it
        // (Debian's libmicrohttpd-dev answers those errors with HTML pages).
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd-rope"),
        .target(name: "RoPE"),
        // JSON and .npy <-> float32 tensors, float32 text conversion, the byte buffer: no HTTP, no server settings,
        // so fuzz targets and tools/ link it without libmicrohttpd.
        .target(name: "TensorCodecs", dependencies: ["RoPE"]),
        .target(name: "RoPEServer", dependencies: ["RoPE", "TensorCodecs", "CMicroHTTPD"]),
        .executableTarget(name: "rope-server", dependencies: ["RoPEServer", "RoPE"]),
        .executableTarget(name: "rope-bench", dependencies: ["RoPE", "TensorCodecs", "RoPEServer"]),
        .testTarget(name: "RoPETests", dependencies: ["RoPE"]),
        .testTarget(name: "TensorCodecsTests", dependencies: ["TensorCodecs", "RoPE"]),
        // What both server test targets share: the transport-independent request API, the in-process transport
        // over the router, the golden cases.
        .target(name: "RoPEServerTestSupport", dependencies: ["RoPEServer", "RoPE"],
                path: "Tests/RoPEServerTestSupport"),
        // The server module's units and its API in process, through the router.
        .testTarget(name: "RoPEServerTests",
                    dependencies: ["RoPEServer", "TensorCodecs", "RoPE", "RoPEServerTestSupport"]),
        // Real sockets to real servers (libmicrohttpd, the steps around the router) and the executable.
        .testTarget(name: "EndToEndTests",
                    dependencies: ["RoPEServer", "TensorCodecs", "RoPE", "RoPEServerTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

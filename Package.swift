// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rope-server",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RoPE", targets: ["RoPE"]),
        .library(name: "RoPEServer", targets: ["RoPEServer"]),
        .executable(name: "rope-server", targets: ["rope-server"]),
        .executable(name: "rope-bench", targets: ["rope-bench"]),
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .target(name: "RoPE"),
        .target(name: "RoPEServer", dependencies: ["RoPE", "CMicroHTTPD"]),
        .executableTarget(name: "rope-server", dependencies: ["RoPEServer"]),
        .executableTarget(name: "rope-bench", dependencies: ["RoPE", "RoPEServer"]),
        .testTarget(name: "RoPETests", dependencies: ["RoPE"]),
        .testTarget(name: "RoPEServerTests", dependencies: ["RoPEServer", "RoPE"]),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rope-server",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RoPE", targets: ["RoPE"]),
    ],
    targets: [
        .target(name: "RoPE"),
        .testTarget(name: "RoPETests", dependencies: ["RoPE"]),
    ],
    swiftLanguageModes: [.v6]
)

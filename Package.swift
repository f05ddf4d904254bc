// kubectl runs the plugin on every command, so start-up time is the product. Linking libcrypto
// statically (libcrypto.a from libssl-dev) spares the dynamic loader thousands of symbol look-ups per run (about 2 ms here).
// EKS_AUTH_DYNAMIC_LIBCRYPTO=1 links the shared library instead (e.g. where no libcrypto.a exists).
import Foundation
// swift-tools-version:6.0
import PackageDescription

let libCrypto: [LinkerSetting] =
    ProcessInfo.processInfo.environment["EKS_AUTH_DYNAMIC_LIBCRYPTO"] == nil
    ? [
        .unsafeFlags(["-Xlinker", "-l:libcrypto.a"], .when(platforms: [.linux])),
        .linkedLibrary("crypto", .when(platforms: [.macOS])),
    ]
    : [.linkedLibrary("crypto")]

let package = Package(
    name: "eks-auth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "eks-auth", targets: ["eks-auth"]),
        .library(name: "EKSAuthCore", targets: ["EKSAuthCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // No pkgConfig: pkg-config would add -lcrypto and with it the shared library we link around.
        .systemLibrary(
            name: "CLibCrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "EKSAuthCore",
            dependencies: ["CLibCrypto", .product(name: "Yams", package: "Yams")],
            linkerSettings: libCrypto
        ),
        .executableTarget(
            name: "eks-auth",
            dependencies: [
                "EKSAuthCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            linkerSettings: [
                // A position-dependent executable has its ~90k data relocations resolved at link time
                // instead of by the loader on every run (about 1 ms of page faults per kubectl call).
                .unsafeFlags(["-Xclang-linker", "-no-pie"], .when(platforms: [.linux], configuration: .release))
            ]
        ),
        .testTarget(
            name: "EKSAuthCoreTests",
            dependencies: ["EKSAuthCore"]
        ),
        .testTarget(
            name: "EKSAuthCLITests",
            dependencies: ["EKSAuthCore"]
        ),
    ]
)

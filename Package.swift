// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "eks-auth",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "eks-auth", targets: ["eks-auth"]),
        .library(name: "EKSAuthCore", targets: ["EKSAuthCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "EKSAuthCore",
            dependencies: ["CLibCrypto"]
        ),
        .executableTarget(
            name: "eks-auth",
            dependencies: [
                "EKSAuthCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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

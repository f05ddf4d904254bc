// swift-tools-version:6.0
// kubectl runs the plugin on every command, so start-up time is the product. Linking libcrypto
// statically (libcrypto.a from libssl-dev) spares the dynamic loader thousands of symbol look-ups per run (about 2 ms here).
// EKS_AUTH_DYNAMIC_LIBCRYPTO=1 links the shared library instead (e.g. where no libcrypto.a exists).
//
// Targets are layers; each imports only those listed below it, so the compiler rejects a cycle:
//   eks-auth (executable)  ->  EKSAuthCommandLine  ->  EKSAuthCore  ->  AWSTransport  ->  AWSConfiguration  ->  AWSSigning  ->  EKSAuthSystem
//   EKSAuthCore also uses YAMLDocument (libyaml's parser and emitter through CLibYAML)  ->  EKSAuthSystem.
//   eks-auth also uses EKSAuthPlatform (the only code naming Glibc/Musl/Darwin) and the SwiftNIO HTTP client.
//   EKSAuthTestSupport (fakes) is for the test targets only; the executable never links it.
import Foundation
import PackageDescription

let libCrypto: [LinkerSetting] =
    ProcessInfo.processInfo.environment["EKS_AUTH_DYNAMIC_LIBCRYPTO"] == nil
    ? [
        .unsafeFlags(["-Xlinker", "-l:libcrypto.a"], .when(platforms: [.linux])),
        .linkedLibrary("crypto", .when(platforms: [.macOS])),
    ]
    : [.linkedLibrary("crypto")]

// libyaml from its archive for the same reason, and because libyaml-dev is a build dependency only:
// the installed binary needs no libyaml package.
let libYAML: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "-l:libyaml.a"], .when(platforms: [.linux])),
    .linkedLibrary("yaml", .when(platforms: [.macOS])),
]

// The commit and date `eks-auth --version` reports, from the Makefile's environment (git, SOURCE_DATE_EPOCH);
// a plain `swift build` reports "unknown". Only characters that need no quoting in a C string are kept.
func buildInfoDefine(_ name: String) -> CSetting {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:.+")
    let value = String((ProcessInfo.processInfo.environment[name] ?? "").filter(allowed.contains).prefix(64))
    return .define(name, to: "\"\(value.isEmpty ? "unknown" : value)\"")
}

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
    ],
    targets: [
        // No pkgConfig: pkg-config would add -lcrypto and with it the shared library we link around.
        .systemLibrary(
            name: "CLibCrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // libyaml (from libyaml-dev); only YAMLDocument imports it. No pkgConfig, as for CLibCrypto.
        .systemLibrary(
            name: "CLibYAML",
            providers: [.apt(["libyaml-dev"])]
        ),
        // The build's commit and date (see buildInfoDefine); only the executable's version command reads them.
        .target(
            name: "CBuildInfo",
            cSettings: [buildInfoDefine("EKS_AUTH_COMMIT"), buildInfoDefine("EKS_AUTH_BUILD_DATE")]
        ),
        // The seams the logic reaches the world through (environment, clock, files, processes,
        // terminal, trace) and the error protocol every layer's errors conform to.
        .target(name: "EKSAuthSystem"),
        // SigV4 (libcrypto's SHA-256 and HMAC), timestamps, endpoints and the credentials value type.
        .target(
            name: "AWSSigning",
            dependencies: ["CLibCrypto", "EKSAuthSystem"],
            linkerSettings: libCrypto
        ),
        // INI, the shared config and credentials files, partitions and regions, endpoint rules, proxies, ARNs.
        .target(name: "AWSConfiguration", dependencies: ["AWSSigning", "EKSAuthSystem", "EKSAuthPlatform"]),
        // The HTTP seam, retries, the Query protocol and AWS service errors.
        .target(name: "AWSTransport", dependencies: ["AWSConfiguration", "AWSSigning", "EKSAuthSystem"]),
        // YAML documents as node trees: libyaml's event parser composed with bounds, YAML 1.1 tag
        // resolution, libyaml's emitter. No Foundation: full Foundation brings ICU's data (36 MB).
        .target(
            name: "YAMLDocument",
            dependencies: ["CLibYAML", "EKSAuthSystem"],
            // Off the token path (kubeconfig, explain): optimised for size, not speed.
            swiftSettings: [.unsafeFlags(["-Osize"], .when(configuration: .release))],
            linkerSettings: libYAML
        ),
        // The domain: credential providers and chain, session cache, token, inspect, kubeconfig, setup.
        .target(
            name: "EKSAuthCore",
            dependencies: [
                "AWSTransport", "AWSConfiguration", "AWSSigning", "YAMLDocument", "EKSAuthSystem",
            ]
        ),
        // The only code that imports a C library by name (below every layer that needs a C call).
        // C calls Swift cannot make itself (prctl is variadic), for EKSAuthPlatform.
        .systemLibrary(name: "CPlatformShims"),
        .target(name: "EKSAuthPlatform", dependencies: ["CPlatformShims"]),
        // The command line as typed values: the flag table, each command's invocation, the start-up
        // scanner for `token`; a library of its own so a test can hold the scanner and ArgumentParser to agreement.
        .target(
            name: "EKSAuthCommandLine",
            dependencies: [
                "EKSAuthCore", "AWSConfiguration", "EKSAuthSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "eks-auth",
            dependencies: [
                "EKSAuthCommandLine", "EKSAuthCore", "AWSTransport", "AWSConfiguration", "AWSSigning", "EKSAuthSystem",
                "EKSAuthPlatform", "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // TLSUserEvent, to wait for a handshake to a proxy or through its tunnel (linked already, via NIOSSL).
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            // Argument parsing, subcommands and the HTTP client; the token path's own work is in the
            // layers below: optimised for size, which leaves its instruction count as it was (callgrind).
            swiftSettings: [.unsafeFlags(["-Osize"], .when(configuration: .release))],
            linkerSettings: [
                // The toolchain's lld instead of gold: gold repeats glibc's link-time warning about mktemp, which
                // the static FoundationEssentials references, on every build; lld does not. Start-up is the same
                // (2.73 M instructions either way, callgrind); the stripped binary is 0.17 MB larger.
                .unsafeFlags(["-use-ld=lld"], .when(platforms: [.linux], configuration: .release)),
                // A position-dependent executable has its ~90k data relocations resolved at link time
                // instead of by the loader on every run (about 1 ms of page faults per kubectl call).
                .unsafeFlags(["-Xclang-linker", "-no-pie"], .when(platforms: [.linux], configuration: .release)),
                // The static Swift runtime's arguments export every symbol of the executable (28,000); the
                // runtime's start-up looks its own path up with dladdr, a linear scan of that table
                // (0.94 M instructions per run, measured with callgrind). Nothing resolves our symbols at run time.
                .unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux], configuration: .release)),
                // Functions compiled to identical code (generic specialisations, mostly) kept once: 0.33 MB
                // of the stripped binary. "safe" folds only functions whose address is never taken, so no
                // function pointer compares differently.
                .unsafeFlags(["-Xlinker", "--icf=safe"], .when(platforms: [.linux], configuration: .release)),
                // libstdc++ (needed by the static Swift runtime and BoringSSL) from its archive: the shared
                // library costs the loader 5,000 relocations and their symbol look-ups on every run (1.8 M
                // instructions). SwiftPM passes a bare -lstdc++ ahead of our flags, so a directory searched
                // first holds a linker script named libstdc++.so that names libstdc++.a instead.
                .unsafeFlags(
                    ["-Xclang-linker", "-L\(Context.packageDirectory)/scripts/static-libstdc++"],
                    .when(platforms: [.linux], configuration: .release)),
            ]
        ),
        // Fakes for the tests: an in-memory file system, closure HTTP and process doubles, fixtures.
        .target(
            name: "EKSAuthTestSupport",
            dependencies: ["EKSAuthCore", "AWSTransport", "AWSConfiguration", "AWSSigning", "EKSAuthSystem"]
        ),
        .testTarget(
            name: "EKSAuthCoreTests",
            dependencies: [
                "EKSAuthCore", "AWSTransport", "AWSConfiguration", "AWSSigning", "YAMLDocument", "EKSAuthSystem",
                "EKSAuthTestSupport",
            ]
        ),
        .testTarget(
            name: "EKSAuthCommandLineTests",
            dependencies: [
                "EKSAuthCommandLine", "EKSAuthCore", "AWSConfiguration", "EKSAuthSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "EKSAuthCLITests",
            dependencies: ["EKSAuthCore", "AWSSigning", "EKSAuthSystem", "EKSAuthTestSupport"]
        ),
    ]
)

// Fuzzing (make fuzz): libFuzzer harnesses, declared only when EKS_AUTH_FUZZ is set, so `swift build` and
// `swift test` never see them. scripts/fuzz.sh builds them into .build-fuzz with -sanitize=fuzzer,address.
// Each `fuzz-<name>` executable is one LLVMFuzzerTestOneInput; SwiftPM renames every executable's main,
// so each starts libFuzzer's driver (LLVMFuzzerRunDriver, declared by CLibFuzzer) itself.
if ProcessInfo.processInfo.environment["EKS_AUTH_FUZZ"] != nil {
    let fuzzTargets = [
        "ini", "token", "aws-auth", "kubeconfig", "sts", "iam", "eks", "credentials-json", "cache-entry", "exec-info",
    ]
    package.targets.append(.target(name: "CLibFuzzer", path: "Tests/Fuzz/CLibFuzzer"))
    package.targets.append(
        .target(
            name: "EKSAuthFuzzHarness",
            dependencies: [
                "EKSAuthCore", "AWSTransport", "AWSConfiguration", "AWSSigning", "EKSAuthSystem", "EKSAuthTestSupport",
            ],
            path: "Tests/Fuzz/Harness"
        ))
    for name in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: "fuzz-\(name)",
                dependencies: ["EKSAuthFuzzHarness", "CLibFuzzer"],
                path: "Tests/Fuzz/Targets/\(name)"
            ))
        package.products.append(.executable(name: "fuzz-\(name)", targets: ["fuzz-\(name)"]))
    }
}

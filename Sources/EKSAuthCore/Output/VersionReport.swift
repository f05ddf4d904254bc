import EKSAuthSystem

/// What `eks-auth --version` and `eks-auth version` report: the version, the commit and the date of the
/// build, and the platform. Field names follow `kubectl version --output json`'s client version
/// (`gitCommit`, `buildDate`, `platform` as `os/arch` in Go's spelling), so scripts that read one read both.
public struct VersionReport: Sendable, Equatable, Encodable {
    /// The release, e.g. `0.1.0` (`EKSAuthVersion.current`, also sent in the User-Agent).
    public var version: String
    /// The commit built, as `git describe --always --dirty` gives it, or `unknown` (a build outside `make`).
    public var gitCommit: String
    /// When the built commit was made (RFC 3339, UTC): the date reproducible builds use, from
    /// SOURCE_DATE_EPOCH when set; `unknown` for a build outside `make`.
    public var buildDate: String
    /// The operating system and CPU, e.g. `linux/amd64`.
    public var platform: String

    /// A report of the given parts; `platform` defaults to the one this binary was compiled for.
    public init(
        version: String = EKSAuthVersion.current, gitCommit: String, buildDate: String,
        platform: String = VersionReport.compiledPlatform
    ) {
        self.version = version
        self.gitCommit = gitCommit
        self.buildDate = buildDate
        self.platform = platform
    }

    /// One line for people: `eks-auth 0.1.0 (commit 3c1c3a7, built 2026-11-30T08:02:11Z, linux/amd64)`.
    public var text: String {
        "eks-auth \(version) (commit \(gitCommit), built \(buildDate), \(platform))"
    }

    /// One compact JSON object with sorted keys, for scripts.
    public func json() -> String {
        JSONOutput.compact(self)
    }

    /// The `os/arch` this binary was compiled for, in Go's names (`GOOS/GOARCH`) as kubectl prints them.
    public static var compiledPlatform: String {
        #if os(Linux)
            let os = "linux"
        #elseif os(macOS)
            let os = "darwin"
        #else
            let os = "unknown"
        #endif
        #if arch(x86_64)
            let arch = "amd64"
        #elseif arch(arm64)
            let arch = "arm64"
        #else
            let arch = "unknown"
        #endif
        return "\(os)/\(arch)"
    }
}

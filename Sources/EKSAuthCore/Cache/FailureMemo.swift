import AWSConfiguration
import AWSSigning
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A failure of `token` under kubectl, remembered briefly so that kubectl's re-runs do not pay for it again.
///
/// kubectl runs the plugin again when it fails (and again per API call of one command): a denied AssumeRole
/// made 6 STS calls and printed the same error 6 times within seconds, and an unreachable STS cost its full
/// retry budget each time. A failure that came from AWS (access denied or expired: exit 77; unreachable or
/// throttled: exit 69) is written to `last-failure.json` in the cache directory; for `lifetime` seconds a
/// run with the same inputs answers with it at once, saying so. The inputs are everything the answer can
/// depend on, hashed (SHA-256): the request (flags), every environment variable, and the contents of the
/// config and credentials files, of the web identity token file and of the IAM Identity Center token cache.
/// Any change, such as `aws sso login` or an edited profile, means a new call at once.
///
/// Only under kubectl (`KUBERNETES_EXEC_INFO` is set) and with the cache on: a person running `token` by
/// hand always gets a fresh answer. Cost when nothing is remembered: one `open` that finds no file.
public struct FailureMemo: Sendable {
    /// How long a failure is remembered, in seconds: long enough to cover one kubectl command's re-runs,
    /// short enough that a fix made elsewhere (a trust policy, a network) is seen almost at once.
    public static let lifetime: Double = 10
    /// The file, in the cache directory.
    static let fileName = "last-failure.json"
    /// The most IAM Identity Center cache files read for the inputs (a bound; a real cache holds a few).
    static let maximumSSOCacheFiles = 64
    /// The most bytes of files read for the inputs' digest (config, credentials, token and SSO cache files
    /// are kilobytes; each file read is bounded by the file system's 16 MiB).
    static let maximumInputBytes = 4 << 20
    /// The largest memo file read, in bytes (one error message and its hint).
    static let maximumFileSize = 64 * 1024

    let system: SystemContext
    let path: String

    /// The memo of `system`'s cache directory; nil when not under kubectl or with `--no-cache`.
    public init?(system: SystemContext) {
        guard system.useCache, system.environment.variables["KUBERNETES_EXEC_INFO"] != nil else { return nil }
        self.system = system
        self.path = "\(CredentialCache.directory(in: system.environment))/\(Self.fileName)"
    }

    /// The failure remembered for these inputs, if one is fresh; `inputs` is only computed when a memo exists.
    public func recall(inputs: () -> String) -> RememberedFailure? {
        // The usual case, and the only cost on a good day: no file.
        guard let bytes = try? system.fileSystem.read(path), bytes.count <= Self.maximumFileSize,
            let status = try? system.fileSystem.status(of: path), status.isRegularFile,
            status.ownerID == system.fileSystem.currentUserID, status.mode & 0o077 == 0,
            let stored = try? JSONDecoder().decode(Stored.self, from: Data(bytes)),
            let kind = Self.kinds[stored.kind], let at = Timestamp.parseISO8601(stored.at)
        else { return nil }
        let age = system.clock.now().timeIntervalSince(at)
        guard age >= -1, age < Self.lifetime, stored.inputs == inputs() else { return nil }
        return RememberedFailure(
            message: stored.message, hint: stored.hint, kind: kind, age: max(0, age), lifetime: Self.lifetime)
    }

    /// Remembers `error` for these inputs when it is a failure worth remembering (from AWS: denied,
    /// expired, unreachable, throttled); never fails the call: a memo that cannot be written is skipped.
    public func remember(_ error: EKSAuthError, inputs: String) {
        guard let kind = Self.kinds.first(where: { $0.value == error.kind })?.key else { return }
        let stored = Stored(
            inputs: inputs, at: Timestamp.rfc3339(system.clock.now()), kind: kind, message: error.message,
            hint: error.hint)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(stored) else { return }
        let directory = CredentialCache.directory(in: system.environment)
        let cache = CredentialCache(directory: directory, fileSystem: system.fileSystem, warn: { _ in })
        guard cache.directoryIsUsable(warn: { _ in }) else { return }
        try? system.fileSystem.createDirectory(directory, mode: 0o700)
        try? system.fileSystem.writeAtomically(Array(data), to: path, mode: 0o600)
    }

    /// The digest of everything a token request's answer can depend on (see the type's summary).
    public func inputs(of request: TokenRequest) -> String {
        var text = "request\u{0}\(String(reflecting: request))\u{0}"
        text += "profileTokenCode\u{0}\(system.profileTokenCode ?? "")\u{0}"
        for (name, value) in system.environment.variables.sorted(by: { $0.key < $1.key }) {
            text += "env\u{0}\(name)\u{0}\(value)\u{0}"
        }
        let (config, credentials) = SharedConfig.paths(in: system.environment)
        var files = [config, credentials]
        if let tokenFile = system.environment["AWS_WEB_IDENTITY_TOKEN_FILE"] { files.append(tokenFile) }
        let ssoCache = "\(system.environment.homeForFiles)/.aws/sso/cache"
        let names = ((try? system.fileSystem.contents(of: ssoCache)) ?? []).sorted()
        files += names.prefix(Self.maximumSSOCacheFiles).map { "\(ssoCache)/\($0)" }
        var digest = Array(text.utf8)
        // Bounded in all: past `maximumInputBytes` read, the remaining files count by name only.
        var budget = Self.maximumInputBytes
        for file in files {
            digest += Array("file\u{0}\(file)\u{0}".utf8)
            guard budget > 0 else { continue }
            let bytes = (try? system.fileSystem.read(file)) ?? []
            budget -= bytes.count
            digest += Crypto.sha256(bytes)
        }
        return Crypto.hex(Crypto.sha256(digest))
    }

    /// The kinds remembered, by their name in the file.
    static let kinds: [String: FailureKind] = ["denied": .denied, "unavailable": .unavailable]

    /// The file's shape.
    struct Stored: Codable {
        var inputs: String
        var at: String
        var kind: String
        var message: String
        var hint: String?
    }
}

/// A failure answered from `FailureMemo`: the same message, kind and exit code, saying it was remembered.
public struct RememberedFailure: EKSAuthError, Equatable {
    /// The first failure's message.
    public var original: String
    /// The first failure's hint.
    public var hint: String?
    /// The first failure's kind (and so its exit code).
    public var kind: FailureKind
    /// How long ago it was seen, in seconds.
    public var age: Double
    /// How long it is remembered, in seconds.
    public var lifetime: Double

    /// A remembered failure from its parts.
    public init(message: String, hint: String?, kind: FailureKind, age: Double, lifetime: Double) {
        self.original = message
        self.hint = hint
        self.kind = kind
        self.age = age
        self.lifetime = lifetime
    }

    public var message: String {
        "\(original) (remembered from \(Int(age)) s ago: kubectl runs eks-auth again after a failure, and AWS is "
            + "not asked again for \(Int(lifetime)) s unless a flag, variable or AWS file changes)"
    }
}

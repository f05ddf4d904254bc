import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// An in-memory file system whose locks are all held by another process: a lock with no wait is refused,
/// a lock with a wait is given once the wait is over (as after a holder let go), unless `neverFree`.
final class LocksHeldFileSystem: FileSystem {
    let inner: InMemoryFileSystem
    let neverFree: Bool
    var currentUserID: UInt32 { inner.currentUserID }

    init(_ inner: InMemoryFileSystem, neverFree: Bool = false) {
        self.inner = inner
        self.neverFree = neverFree
    }

    func read(_ path: String) throws -> [UInt8]? { try inner.read(path) }
    func status(of path: String) throws -> FileStatus? { try inner.status(of: path) }
    func createDirectory(_ path: String, mode: UInt16) throws { try inner.createDirectory(path, mode: mode) }
    func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt16) throws {
        try inner.writeAtomically(bytes, to: path, mode: mode)
    }
    func remove(_ path: String) throws { try inner.remove(path) }
    func contents(of directory: String) throws -> [String] { try inner.contents(of: directory) }
    func withExclusiveLock<T>(_ lockPath: String, timeout: Double, _ body: () throws -> T) throws -> T? {
        guard timeout > 0, !neverFree else { return nil }
        return try inner.withExclusiveLock(lockPath, timeout: timeout, body)
    }
}

@Suite("Background refresh of due cached sessions")
struct BackgroundRefreshTests {
    static let now = Date(timeIntervalSince1970: 1_704_164_645)  // 2024-01-02T03:04:05Z
    static let key = CacheKey(
        baseAccessKeyID: "credential-process:get-creds", profile: "dev", roleARN: "credential_process",
        externalID: nil, sessionName: nil, serialNumber: nil, durationSeconds: 0, endpoint: "", kind: .process)

    /// A file system holding a cached session for `key` with `left` seconds to go.
    static func files(left: TimeInterval) -> InMemoryFileSystem {
        let files = InMemoryFileSystem()
        let cache = CredentialCache(directory: "/home/u/.kube/cache/eks-auth", fileSystem: files, warn: { _ in })
        let old = AWSCredentials(
            accessKeyID: "ASIAOLD", secretAccessKey: "s", sessionToken: "t", expiration: now.addingTimeInterval(left))
        cache.store(CachedCredentials(credentials: old, session: .process), for: key, obtained: now)
        return files
    }

    /// Runs `through` once; what it returned, how often `fetch` and the hook ran, and the trace.
    static func run(
        _ fileSystem: FileSystem, mode: BackgroundRefresh?, hookPID: Int32? = 4242, inBackground: Bool = true
    ) throws -> (accessKeyID: String, fetches: Int, hooks: Int, trace: [String]) {
        let hooks = Recorder<Int32?>()
        let trace = Recorder<String>()
        var system = SystemContext(
            environment: Environment(["HOME": "/home/u"]), clock: .fixed(now), fileSystem: fileSystem,
            tracer: Tracer { trace.append($0) })
        if case .available = mode {
            system.backgroundRefresh = .available {
                hooks.append(hookPID)
                return hookPID
            }
        } else {
            system.backgroundRefresh = mode
        }
        var fetches = 0
        let found = try CredentialCache.through(key, system: system, label: "test", inBackground: inBackground) {
            fetches += 1
            return CachedCredentials(
                credentials: AWSCredentials(
                    accessKeyID: "ASIANEW", secretAccessKey: "s", sessionToken: "t",
                    expiration: now.addingTimeInterval(3600)),
                session: .process)
        }
        return (found.credentials.accessKeyID, fetches, hooks.all.count, trace.all)
    }

    static let available = BackgroundRefresh.available { nil }

    @Test("inside the window and above the floor: the cached session at once, and the hook asked once")
    func insideWindow() throws {
        let result = try Self.run(Self.files(left: 600), mode: Self.available)
        #expect(result.accessKeyID == "ASIAOLD")
        #expect(result.fetches == 0)
        #expect(result.hooks == 1)
        #expect(result.trace.contains("cache: session expires in 600 s; refreshing in the background (pid 4242)"))
    }

    @Test("at or under the floor: renewed synchronously, the hook never asked", arguments: [60.0, 120.0])
    func underFloor(left: TimeInterval) throws {
        #expect(CredentialCache.backgroundRefreshFloor == 120)
        let result = try Self.run(Self.files(left: left), mode: Self.available)
        #expect(result.accessKeyID == "ASIANEW")
        #expect(result.fetches == 1)
        #expect(result.hooks == 0)
    }

    @Test("outside the window: the cached session, no refresh at all")
    func outsideWindow() throws {
        let result = try Self.run(Self.files(left: 1800), mode: Self.available)
        #expect(result.accessKeyID == "ASIAOLD")
        #expect(result.fetches == 0)
        #expect(result.hooks == 0)
    }

    @Test("the key's lock held by another process: the cached session, and no process started")
    func lockHeld() throws {
        let result = try Self.run(LocksHeldFileSystem(Self.files(left: 600)), mode: Self.available)
        #expect(result.accessKeyID == "ASIAOLD")
        #expect(result.fetches == 0)
        #expect(result.hooks == 0)
        #expect(result.trace.contains("cache: session expires in 600 s; another process is renewing it"))
    }

    @Test("without a hook (other commands, --no-cache, unit tests): renewed synchronously, as before")
    func noHook() throws {
        let result = try Self.run(Self.files(left: 600), mode: nil)
        #expect(result.accessKeyID == "ASIANEW")
        #expect(result.fetches == 1)
    }

    @Test("a hook that cannot start a process: renewed synchronously")
    func hookFails() throws {
        let result = try Self.run(Self.files(left: 600), mode: Self.available, hookPID: nil)
        #expect(result.accessKeyID == "ASIANEW")
        #expect(result.fetches == 1)
        #expect(result.hooks == 1)
    }

    @Test("a source that would need a prompt (MFA code not given): renewed synchronously")
    func notInBackground() throws {
        let result = try Self.run(Self.files(left: 600), mode: Self.available, inBackground: false)
        #expect(result.accessKeyID == "ASIANEW")
        #expect(result.hooks == 0)
    }

    @Test("the background process renews a due session itself, under the lock")
    func backgroundProcessRenews() throws {
        let result = try Self.run(Self.files(left: 600), mode: .running)
        #expect(result.accessKeyID == "ASIANEW")
        #expect(result.fetches == 1)
    }

    @Test("the background process gives up when the lock stays held, and never calls without it")
    func backgroundProcessSkips() throws {
        #expect(throws: BackgroundRefreshSkipped.self) {
            try Self.run(LocksHeldFileSystem(Self.files(left: 600), neverFree: true), mode: .running)
        }
    }

    @Test("the background process finds the session renewed while it waited and makes no call")
    func backgroundProcessFindsItRenewed() throws {
        let result = try Self.run(Self.files(left: 1800), mode: .running)
        #expect(result.accessKeyID == "ASIAOLD")
        #expect(result.fetches == 0)
    }

    @Test(
        "a role whose MFA code was not given is renewed while the caller waits (who can answer), never in the background"
    )
    func mfaRoleNotInBackground() throws {
        let files = InMemoryFileSystem()
        let http = FakeHTTPClient { _, _ in STSReplies.assumeRole(expiration: "2024-01-02T04:04:05Z") }
        let hooks = Recorder<Int>()
        func request(code: String?) -> TokenRequest {
            TokenRequest(
                clusterID: "dev", region: "us-east-1",
                role: RoleRequest(
                    roleARN: "arn:aws:iam::123456789012:role/dev.eks-access.role", sessionName: "alice",
                    serialNumber: "arn:aws:iam::123456789012:mfa/alice", tokenCode: code))
        }
        func system(at date: Date) -> SystemContext {
            var system = SystemContext(
                environment: Environment([
                    "HOME": "/home/u", "AWS_ACCESS_KEY_ID": Fixtures.accessKeyID,
                    "AWS_SECRET_ACCESS_KEY": Fixtures.secretAccessKey,
                ]), clock: .fixed(date), fileSystem: files, http: { http })
            system.backgroundRefresh = .available {
                hooks.append(1)
                return 7
            }
            return system
        }
        _ = try TokenService(system: system(at: Self.now)).token(for: request(code: "123456"))
        let later = system(at: Date(timeIntervalSince1970: 1_704_164_645 + 3300))
        // Nobody here can give a code (no terminal): the session is used down to the floor, not refused.
        let uncoded = try TokenService(system: later).token(for: request(code: nil))
        #expect(uncoded.accessKeyID == "ASIAASSUMEDEXAMPLE")
        #expect(hooks.all.isEmpty)
        #expect(http.requests.count == 1)
        // Under the floor it must be renewed, and without a code it cannot be.
        let floor = system(at: Date(timeIntervalSince1970: 1_704_164_645 + 3600 - 100))
        #expect(throws: RoleRequestError.mfaCodeNeeded(serial: "arn:aws:iam::123456789012:mfa/alice")) {
            try TokenService(system: floor).token(for: request(code: nil))
        }
        // With the code given, the background process can renew it: the cached session at once.
        let result = try TokenService(system: later).token(for: request(code: "654321"))
        #expect(result.accessKeyID == "ASIAASSUMEDEXAMPLE")
        #expect(hooks.all.count == 1)
    }

    @Test("the token of a session renewed in the background expires with the session, in this machine's clock")
    func expiryCappedBySession() throws {
        let files = InMemoryFileSystem()
        let http = FakeHTTPClient { _, _ in STSReplies.assumeRole(expiration: "2024-01-02T04:04:05Z") }
        let request = TokenRequest(
            clusterID: "dev", region: "us-east-1",
            role: RoleRequest(roleARN: "arn:aws:iam::123456789012:role/dev.eks-access.role", sessionName: "alice"))
        func system(at date: Date) -> SystemContext {
            var system = SystemContext(
                environment: Environment([
                    "HOME": "/home/u", "AWS_ACCESS_KEY_ID": Fixtures.accessKeyID,
                    "AWS_SECRET_ACCESS_KEY": Fixtures.secretAccessKey,
                ]), clock: .fixed(date), fileSystem: files, http: { http })
            system.backgroundRefresh = .available { 7 }
            return system
        }
        _ = try TokenService(system: system(at: Self.now)).token(for: request)
        #expect(http.requests.count == 1)
        // Five minutes before the session ends (inside its 15-minute window), with a clock 30 s behind AWS's.
        var later = system(at: Date(timeIntervalSince1970: 1_704_164_645 + 3300))
        later.clockCorrection = ClockSkew(offset: 30, learnedAt: Self.now, host: "sts.amazonaws.com")
        let result = try TokenService(system: later).token(for: request)
        #expect(http.requests.count == 1)
        #expect(result.accessKeyID == "ASIAASSUMEDEXAMPLE")
        #expect(Timestamp.rfc3339(result.execCredential.expiration) == "2024-01-02T04:03:35Z")
    }
}

@Suite("Background refresh: a failed renewal")
struct FailedRenewalTests {
    typealias Base = BackgroundRefreshTests

    /// `through` once at `now`, the background process (`.running`) whose STS call is denied.
    static func failInBackground(_ files: InMemoryFileSystem, at now: Date) {
        let system = SystemContext(
            environment: Environment(["HOME": "/home/u"]), clock: .fixed(now), fileSystem: files)
        var running = system
        running.backgroundRefresh = .running
        #expect(throws: CredentialError.self) {
            _ = try CredentialCache.through(Base.key, system: running, label: "test") {
                throw CredentialError.endpointRefused(source: "STS", reason: "AccessDenied")
            }
        }
    }

    static func call(_ files: InMemoryFileSystem, at now: Date) throws -> (key: String, hooks: Int, warnings: [String])
    {
        let hooks = Recorder<Int>()
        let warnings = Recorder<String>()
        var system = SystemContext(
            environment: Environment(["HOME": "/home/u"]), clock: .fixed(now), fileSystem: files,
            warn: { warnings.append($0) })
        system.backgroundRefresh = .available {
            hooks.append(1)
            return 99
        }
        let found = try CredentialCache.through(Base.key, system: system, label: "test") {
            Issue.record("no synchronous renewal above the floor")
            throw CredentialError.endpointRefused(source: "STS", reason: "x")
        }
        return (found.credentials.accessKeyID, hooks.all.count, warnings.all)
    }

    @Test("is noted in the entry, said on each call while the session lasts, and tried again after a pause")
    func notedSaidAndPaused() throws {
        let files = Base.files(left: 600)
        Self.failInBackground(files, at: Base.now)
        let cache = CredentialCache(directory: "/home/u/.kube/cache/eks-auth", fileSystem: files, warn: { _ in })
        let noted = try #require(cache.load(for: Base.key, freshUntil: Base.now))
        #expect(noted.credentials.accessKeyID == "ASIAOLD", "the session itself is kept")
        #expect(noted.renewalFailure == RenewalFailure(at: Base.now, message: "STS: AccessDenied"))

        let soon = try Self.call(files, at: Base.now.addingTimeInterval(20))
        #expect(soon.key == "ASIAOLD")
        #expect(soon.hooks == 0, "not again within the pause")
        #expect(
            soon.warnings == [
                "renewing the cached session (test) in the background failed 20 s ago: STS: AccessDenied; it "
                    + "expires in 9 min 40 s, then the renewal happens while you wait"
            ])
        let later = try Self.call(files, at: Base.now.addingTimeInterval(90))
        #expect(later.hooks == 1, "tried again after the pause")
        #expect(later.warnings.count == 1)
    }

    @Test("an entry written with the failure reads back in both readers, and older readers' fields are unchanged")
    func format() throws {
        let files = Base.files(left: 600)
        Self.failInBackground(files, at: Base.now)
        let cache = CredentialCache(directory: "/home/u/.kube/cache/eks-auth", fileSystem: files, warn: { _ in })
        let bytes = try #require(try files.read(cache.path(for: Base.key)))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""renewalFailedAt":"2024-01-02T03:04:05Z","renewalFailure":"STS: AccessDenied""#))
        let decoded = try JSONDecoder().decode(CacheEntry.self, from: Data(bytes))
        #expect(CacheEntry.decoding(bytes) == decoded)
        #expect(decoded.cached?.renewalFailure?.message == "STS: AccessDenied")
    }
}

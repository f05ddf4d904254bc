import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The on-disk cache of temporary credentials (assumed roles and the sessions of web identity, IAM
/// Identity Center and `credential_process`), one private file per `CacheKey`.
///
/// Policy (after aws-iam-authenticator's file cache, with its in-place write replaced by an atomic
/// rename): the directory is 0700 and the files 0600; an entry that is corrupt, unreadable, not
/// ours or readable by others is ignored with a warning (and replaced when it is ours); the lock
/// wait is bounded; and a cache that cannot be used never fails the token, it only warns.
public struct CredentialCache: Sendable {
    /// The directory holding the entries.
    public let directory: String
    let fileSystem: FileSystem
    let warn: @Sendable (String) -> Void

    /// The cache directory: `EKS_AUTH_CACHE_DIR`, else `~/.kube/cache/eks-auth`.
    public static func directory(in environment: Environment) -> String {
        if let dir = environment["EKS_AUTH_CACHE_DIR"] { return environment.expandingTilde(dir) }
        return "\(environment.homeForFiles)/.kube/cache/eks-auth"
    }

    /// A cache in `directory`.
    public init(directory: String, fileSystem: FileSystem, warn: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.fileSystem = fileSystem
        self.warn = warn
    }

    /// The path of the entry for `key`.
    public func path(for key: CacheKey) -> String { "\(directory)/\(key.digest).json" }

    /// Whether the directory can be trusted: ours and not writable by others. Warns when not.
    func directoryIsUsable(warn: (String) -> Void) -> Bool {
        // kubectl runs the plugin from whatever directory the user is in: a relative directory would
        // scatter sessions (and their locks) over every directory kubectl is run from.
        guard directory.hasPrefix("/") else {
            warn("EKS_AUTH_CACHE_DIR '\(directory)' is not an absolute path; not using the cache")
            return false
        }
        guard let status = try? fileSystem.status(of: directory) else { return true }
        if status.ownerID != fileSystem.currentUserID {
            warn("cache directory \(directory) belongs to uid \(status.ownerID), not to you; not using the cache")
            return false
        }
        if status.mode & 0o022 != 0 {
            warn("cache directory \(directory) is writable by others; not using the cache (chmod 700 it)")
            return false
        }
        return true
    }

    /// The cached session for `key`, if present, trustworthy and valid at least until `freshUntil`;
    /// problems with the entry are warned about unless `quietly`.
    public func load(for key: CacheKey, freshUntil: Date, quietly: Bool = false) -> CachedCredentials? {
        let report = self.warn
        let warn: @Sendable (String) -> Void = { message in
            if !quietly { report(message) }
        }
        guard directoryIsUsable(warn: warn) else { return nil }
        let path = path(for: key)
        let status: FileStatus?
        let bytes: [UInt8]?
        do {
            status = try fileSystem.status(of: path)
            guard let status else { return nil }
            if status.ownerID != fileSystem.currentUserID {
                warn("ignoring cache file \(path): it belongs to uid \(status.ownerID)")
                return nil
            }
            if status.mode & 0o077 != 0 {
                warn("ignoring cache file \(path): it is readable by others (mode \(String(status.mode, radix: 8)))")
                return nil
            }
            bytes = try fileSystem.read(path)
        } catch {
            warn("ignoring unreadable cache file \(path): \(Self.reason(error))")
            return nil
        }
        guard let bytes else { return nil }
        guard let entry = CacheEntry.decoding(bytes), let cached = entry.cached
        else {
            warn("ignoring corrupt cache file \(path)")
            return nil
        }
        guard let expiry = cached.credentials.expiration, expiry >= freshUntil else { return nil }
        return cached
    }

    /// Writes the entry for `key`; failures only warn.
    public func store(_ cached: CachedCredentials, for key: CacheKey, obtained date: Date) {
        guard directoryIsUsable(warn: { _ in }) else { return }
        let path = path(for: key)
        if let status = try? fileSystem.status(of: path), status.ownerID != fileSystem.currentUserID {
            return
        }
        do {
            try fileSystem.createDirectory(directory, mode: 0o700)
            // The key's endpoint is `URL REGION` for STS sessions, empty for the others.
            let endpoint = key.endpoint.split(separator: " ", maxSplits: 1).map(String.init)
            let entry = CacheEntry(
                cached, profile: key.profile, obtained: date, stsEndpoint: endpoint.first,
                region: endpoint.count == 2 ? endpoint[1] : nil)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            try fileSystem.writeAtomically(Array(try encoder.encode(entry)), to: path, mode: 0o600)
        } catch {
            warn("could not write cache file \(path): \(Self.reason(error)); the token is still good")
        }
    }

    /// Runs `body` holding the lock of `key`; when the lock cannot be had within `timeout`
    /// seconds (or at all), warns and runs `body` without it.
    public func withLock<T>(for key: CacheKey, timeout: Double, _ body: () throws -> T) throws -> T {
        // Trust first: a lock in a directory another user owns or can write is theirs to hold or to
        // replace with a link (a token once waited 36 s on such a lock).
        guard directoryIsUsable(warn: { _ in }) else { return try body() }
        let lockPath = "\(directory)/\(key.digest).lock"
        do {
            try fileSystem.createDirectory(directory, mode: 0o700)
            if let result = try fileSystem.withExclusiveLock(lockPath, timeout: timeout, body) { return result }
            warn("cache lock \(lockPath) still held after \(Int(timeout)) s; going on without it")
        } catch let error as FileSystemError {
            warn("cannot lock \(lockPath): \(error.reason); going on without the cache lock")
        }
        return try body()
    }

    /// What `ifUnlocked` did.
    enum LockAttempt<T> {
        /// The lock was free: `body` ran holding it, and returned this.
        case ran(T)
        /// Another process holds the lock; `body` did not run.
        case held
        /// The lock cannot be used (directory not trusted, lock file not creatable); `body` did not run.
        case unusable
    }

    /// Runs `body` holding the lock of `key` if it is free at once (no wait).
    func ifUnlocked<T>(_ key: CacheKey, _ body: () -> T) -> LockAttempt<T> {
        guard directoryIsUsable(warn: { _ in }) else { return .unusable }
        let lockPath = "\(directory)/\(key.digest).lock"
        do {
            try fileSystem.createDirectory(directory, mode: 0o700)
            guard let result = try fileSystem.withExclusiveLock(lockPath, timeout: 0, body) else { return .held }
            return .ran(result)
        } catch {
            return .unusable
        }
    }

    /// The entries on disk, with their file names; unreadable ones are skipped.
    public func entries() throws -> [(file: String, entry: CacheEntry)] {
        let names = try fileSystem.contents(of: directory).filter { Self.ownFile($0) == .entry }
        return names.compactMap { name in
            guard let bytes = try? fileSystem.read("\(directory)/\(name)"),
                let entry = CacheEntry.decoding(bytes)
            else { return nil }
            return (name, entry)
        }
    }

    /// Removes every entry, lock, left-over temporary file and failure memo of ours, and nothing else:
    /// the directory may be shared (`EKS_AUTH_CACHE_DIR` pointed at a project folder). With `keys`
    /// (digests), only those entries and their locks. Returns how many entries were removed.
    @discardableResult
    public func clear(keys: Set<String>? = nil) throws -> Int {
        // A directory not ours, or writable by others, is not ours to clean: a file there with our
        // kind of name may be another user's (the cache never uses such a directory either).
        if let status = try fileSystem.status(of: directory) {
            if status.ownerID != fileSystem.currentUserID {
                throw FileSystemError(
                    path: directory, reason: "it belongs to uid \(status.ownerID), not to you; nothing was removed")
            }
            if status.mode & 0o022 != 0 {
                throw FileSystemError(
                    path: directory, reason: "it is writable by others; nothing was removed (chmod 700 it)")
            }
        }
        var removed = 0
        var failure: FileSystemError?
        for name in try fileSystem.contents(of: directory) {
            guard let kind = Self.ownFile(name) else { continue }
            if let keys, !keys.contains(String(name.prefix(64))) || kind == .temporary || kind == .failureMemo {
                continue
            }
            let path = "\(directory)/\(name)"
            // Only regular files of ours: never a link, directory, FIFO or another user's file that
            // merely has our kind of name.
            guard !fileSystem.isSymbolicLink(path), let status = try? fileSystem.status(of: path),
                status.isRegularFile, status.ownerID == fileSystem.currentUserID
            else { continue }
            do {
                switch kind {
                case .entry:
                    try fileSystem.remove(path)
                    removed += 1
                case .lock:
                    // Only a lock nobody holds (left by a process that was killed): taking it removes it.
                    _ = try fileSystem.withExclusiveLock(path, timeout: 0) {}
                case .temporary, .failureMemo:
                    try fileSystem.remove(path)
                }
            } catch let error as FileSystemError {
                // Go on with the rest; report the first failure at the end.
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return removed
    }

    /// What a file of ours in the cache directory is.
    enum OwnFile { case entry, lock, temporary, failureMemo }

    /// The kind of file `name` is when eks-auth wrote it: `<64 hex digits>.json` (an entry),
    /// `<64 hex digits>.lock`, `.eks-auth-tmp-XXXXXX` (an atomic write cut short), `last-failure.json`
    /// (`FailureMemo`) or `clock-skew.json` (`ClockSkew`, cleared like the memo); nil otherwise.
    static func ownFile(_ name: String) -> OwnFile? {
        if name == FailureMemo.fileName || name == ClockSkew.fileName { return .failureMemo }
        let isHex = { (c: Character) in c.isASCII && c.isHexDigit && !c.isUppercase }
        if name.count == 69, name.prefix(64).allSatisfy(isHex) {
            switch name.suffix(5) {
            case ".json": return .entry
            case ".lock": return .lock
            default: return nil
            }
        }
        let tempPrefix = ".eks-auth-tmp-"
        if name.hasPrefix(tempPrefix), name.count == tempPrefix.count + 6,
            name.dropFirst(tempPrefix.count).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        {
            return .temporary
        }
        return nil
    }

    static func reason(_ error: Error) -> String {
        (error as? FileSystemError)?.reason ?? "\(type(of: error))"
    }
}

extension CredentialCache {
    /// How long before expiry cached credentials of other sources (web identity, SSO,
    /// credential_process) are fetched again: a token's lifetime, so a token never outlives them.
    public static let refreshWindow: TimeInterval = STSClient.presignedURLValidity

    /// The least time a session may have left to be answered from the cache while a background process
    /// renews it: under this, the caller renews it and waits, as with no background refresh. Two minutes:
    /// a token signed with the session is then good for at least that long (its expiry is capped by
    /// the session's), which covers kubectl's call and a background renewal with all its retries
    /// (35 s with the defaults) well before kubectl asks again.
    public static let backgroundRefreshFloor: TimeInterval = 2 * 60

    /// `fetch`'s credentials through the cache of `system`: an entry for `key` still good `window`
    /// seconds from now is returned without calling `fetch`; otherwise one process under the key's
    /// lock (waiting at most `lockTimeout`) fetches and stores, so concurrent callers make one call.
    /// Credentials without a session token or an expiry are returned but never stored.
    ///
    /// With `system.backgroundRefresh` `.available` and `inBackground` (the source can be renewed without
    /// a person: no MFA prompt), an entry with less than `window` but more than `backgroundRefreshFloor`
    /// left is returned at once, and a background process is started to renew it, unless the key's lock
    /// is held (someone is renewing it already). That process runs with `.running`: it renews due entries
    /// itself, under the lock, and gives up (`BackgroundRefreshSkipped`) when the lock stays held.
    /// - Throws: what `fetch` throws; `BackgroundRefreshSkipped` in the background process.
    public static func through(
        _ key: CacheKey, system: SystemContext, label: String, window: TimeInterval = refreshWindow,
        lockTimeout: Double = 30, inBackground: Bool = true, _ fetch: () throws -> CachedCredentials
    ) throws -> CachedCredentials {
        let cache = CredentialCache(
            directory: directory(in: system.environment), fileSystem: system.fileSystem, warn: system.warn)
        let trace = system.tracer
        guard system.useCache else {
            trace("cache: off (--no-cache) for \(label)")
            return try fetch()
        }
        // Only for the trace (its arguments are evaluated only under --verbose) and a rare error: the key's
        // digest is a SHA-256 over its fields, 0.05 M instructions each time it is computed.
        let path = { cache.path(for: key) }
        var start: (@Sendable () -> Int32?)?
        if inBackground, window > backgroundRefreshFloor, case .available(let hook) = system.backgroundRefresh {
            start = hook
        }
        let now = system.clock.now()
        let cached = cache.load(
            for: key, freshUntil: now.addingTimeInterval(start == nil ? window : backgroundRefreshFloor), quietly: true)
        let left = (cached?.credentials.expiration ?? now).timeIntervalSince(now)
        if let cached, left >= window || (start != nil && left > backgroundRefreshFloor) {
            trace("cache: hit \(path()) (\(label))", fields: ["cache": "hit", "path": path()])
            guard left < window, let start else { return cached }
            if let failure = cached.renewalFailure {
                // Said on every call while it lasts: the session ends in minutes and cannot be renewed.
                let ago = Int(now.timeIntervalSince(failure.at))
                system.warn(
                    "renewing the cached session (\(label)) in the background failed \(DurationText.spoken(ago)) ago: "
                        + "\(TerminalText.line(failure.message, limit: 400)); it expires in "
                        + "\(DurationText.spoken(Int(left))), then the renewal happens while you wait")
                if now.timeIntervalSince(failure.at) < renewalRetryPause {
                    trace("cache: not renewing again before \(Int(renewalRetryPause)) s have passed")
                    return cached
                }
            }
            switch cache.ifUnlocked(key, start) {
            case .held:
                trace("cache: session expires in \(Int(left)) s; another process is renewing it")
                return cached
            case .ran(let pid?):
                trace(
                    "cache: session expires in \(Int(left)) s; refreshing in the background (pid \(pid))",
                    fields: ["cache": "background", "expiresIn": "\(Int(left))", "pid": "\(pid)"])
                return cached
            case .ran(nil), .unusable:
                trace("cache: session expires in \(Int(left)) s; no background refresh could start, renewing it now")
            }
        } else {
            trace("cache: miss \(path()) (\(label))", fields: ["cache": "miss", "path": path()])
        }
        let freshUntil = { system.clock.now().addingTimeInterval(window) }
        let body = {
            if let cached = cache.load(for: key, freshUntil: freshUntil()) {
                trace("cache: filled by another process while waiting")
                return cached
            }
            let fetched = try fetch()
            if fetched.credentials.sessionToken != nil, fetched.credentials.expiration != nil {
                cache.store(fetched, for: key, obtained: system.clock.now())
            }
            return fetched
        }
        guard case .running = system.backgroundRefresh else {
            return try cache.withLock(for: key, timeout: lockTimeout, body)
        }
        // The background process never renews without the lock: a holder is renewing it already.
        guard cache.directoryIsUsable(warn: { _ in }) else { throw BackgroundRefreshSkipped(lockPath: path()) }
        let lockPath = "\(cache.directory)/\(key.digest).lock"
        do {
            try system.fileSystem.createDirectory(cache.directory, mode: 0o700)
            if let result = try system.fileSystem.withExclusiveLock(lockPath, timeout: lockTimeout, body) {
                return result
            }
        } catch is FileSystemError {
        } catch let error as EKSAuthError {
            cache.noteRenewalFailure(of: key, error.message, at: system.clock.now())
            throw error
        }
        throw BackgroundRefreshSkipped(lockPath: lockPath)
    }

    /// How long after a failed background renewal the next call inside the window tries again.
    public static let renewalRetryPause: TimeInterval = 60

    /// Records in `key`'s entry (when it is there, ours and still good) that renewing it failed with
    /// `message` at `date`; the session itself is kept. Failures only skip the note.
    func noteRenewalFailure(of key: CacheKey, _ message: String, at date: Date) {
        guard var cached = load(for: key, freshUntil: date, quietly: true),
            let bytes = try? fileSystem.read(path(for: key)), let entry = CacheEntry.decoding(bytes),
            let obtained = Timestamp.parseISO8601(entry.obtained)
        else { return }
        cached.renewalFailure = RenewalFailure(at: date, message: String(message.prefix(1000)))
        store(cached, for: key, obtained: obtained)
    }
}

import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The core of `eks-auth cache list` and `cache clear`: the cache of `system`, listed as a table
/// (never a secret) or emptied, each as the text to print.
public struct CacheService: Sendable {
    let cache: CredentialCache
    let clock: WallClock

    /// The cache of `system` (`EKS_AUTH_CACHE_DIR`, else `~/.kube/cache/eks-auth`).
    public init(system: SystemContext) {
        self.cache = CredentialCache(
            directory: CredentialCache.directory(in: system.environment), fileSystem: system.fileSystem,
            warn: system.warn)
        self.clock = system.clock
    }

    /// The table's columns.
    static let header = ["KEY", "ROLE", "SESSION", "PROFILE", "EXPIRES", "STATE"]

    /// Each cached session as a row: key (file name prefix), role, assumed-role session, profile,
    /// expiry and minutes left.
    func rows() throws -> [[String]] {
        let now = clock.now()
        return try cache.entries().map { item in
            let left = item.entry.expirationDate.map { Int($0.timeIntervalSince(now)) } ?? 0
            return [
                String(item.file.prefix(12)), item.entry.session.roleLabel, item.entry.session.assumedRoleARN ?? "",
                item.entry.profile, item.entry.expiration, left > 0 ? "\(left / 60) min left" : "expired",
            ]
        }
    }

    /// The listing: a table of the sessions, or a line saying there are none.
    /// - Throws: `CacheError.cannotRead` when the directory cannot be listed.
    public func list() throws -> String {
        do {
            let rows = try rows()
            guard !rows.isEmpty else { return "no cached credentials in \(cache.directory)" }
            return TableText.render(header: Self.header, rows: rows)
        } catch let error as FileSystemError {
            throw CacheError.cannotRead(path: error.path, reason: error.reason)
        }
    }

    /// Removes every session and lock; says how many sessions went.
    /// - Throws: `CacheError.cannotClear` for a file that cannot be removed.
    public func clear() throws -> String {
        do {
            let removed = try cache.clear()
            return "removed \(removed) cached session\(removed == 1 ? "" : "s") from \(cache.directory)"
        } catch let error as FileSystemError {
            throw CacheError.cannotClear(path: error.path, reason: error.reason)
        }
    }
}

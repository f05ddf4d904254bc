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

    /// The widest `cache list` table, in columns: a terminal of 120 shows every row on one line.
    public static let maximumWidth = 120

    /// One cached session as `cache list` shows it.
    struct Listed: Encodable {
        var key: String
        var kind: String
        var role: String
        var session: String
        var assumedRoleArn: String?
        var profile: String
        var region: String?
        var stsEndpoint: String?
        var expiration: String
        var obtained: String
        var minutesLeft: Int

        /// The STATE column: `52 min left`, or `expired`.
        var state: String { minutesLeft > 0 ? "\(minutesLeft) min left" : "expired" }

        /// Whether the endpoint is the usual regional one of the region, so that the region alone names it.
        var endpointIsRegional: Bool {
            guard let stsEndpoint, let region else { return true }
            return stsEndpoint == STSEndpointResolver.regionalEndpoint(for: region).description
        }
    }

    /// Each cached session, in file-name order.
    func listed() throws -> [Listed] {
        let now = clock.now()
        return try cache.entries().map { item in
            let entry = item.entry
            let left = entry.expirationDate.map { Int($0.timeIntervalSince(now)) } ?? 0
            let kind: String
            switch entry.session {
            case .assumedRole: kind = "assume-role"
            case .webIdentity: kind = "web-identity"
            case .identityCenter: kind = "sso"
            case .process: kind = "process"
            }
            // The session name is the last part of an assumed-role ARN: what tells two sessions of a role apart.
            let session = entry.session.assumedRoleARN.map { String($0.split(separator: "/").last ?? "") } ?? ""
            return Listed(
                key: String(item.file.dropLast(".json".count)), kind: kind, role: entry.session.roleLabel,
                session: session, assumedRoleArn: entry.session.assumedRoleARN, profile: entry.profile,
                region: entry.region, stsEndpoint: entry.stsEndpoint, expiration: entry.expiration,
                obtained: entry.obtained, minutesLeft: max(0, left / 60))
        }
    }

    /// The listing: a table of the sessions (at most `maximumWidth` columns wide: the ROLE column gives
    /// way, keeping the role's name), or a line saying there are none. An ENDPOINT column appears when a
    /// session came from an endpoint other than its region's usual one (FIPS, global, a VPC endpoint).
    /// - Throws: `CacheError.cannotRead` when the directory cannot be listed.
    public func list() throws -> String {
        do {
            let sessions = try listed()
            // Entries that cannot be read are not listed, but counted, so that a later 'cache clear'
            // removing more than the table showed is no surprise.
            let files = try cache.fileSystem.contents(of: cache.directory)
                .filter { CredentialCache.ownFile($0) == .entry }.count
            let skipped =
                files > sessions.count
                ? "\(files - sessions.count) unreadable entr\(files - sessions.count == 1 ? "y is" : "ies are") not "
                    + "listed (corrupt or from another format); 'eks-auth cache clear' removes them" : nil
            guard !sessions.isEmpty else {
                return "no cached credentials in \(cache.directory)" + (skipped.map { "\n" + $0 } ?? "")
            }
            let withEndpoint = sessions.contains { !$0.endpointIsRegional }
            let header =
                ["KEY", "ROLE", "SESSION", "PROFILE", "REGION"] + (withEndpoint ? ["ENDPOINT"] : []) + ["STATE"]
            let rows = sessions.map { item in
                [String(item.key.prefix(12)), item.role, item.session, item.profile, item.region ?? "-"]
                    + (withEndpoint ? [item.stsEndpoint.flatMap { Endpoint(url: $0)?.host } ?? "-"] : []) + [item.state]
            }
            return TableText.render(header: header, rows: rows, maximumWidth: Self.maximumWidth, shrinking: 1)
                + (skipped.map { "\n" + $0 } ?? "")
        } catch let error as FileSystemError {
            throw CacheError.cannotRead(path: error.path, reason: error.reason)
        }
    }

    /// The listing as a JSON array of objects (sorted keys): `key` (the whole file name's digest),
    /// `kind` (`assume-role`, `web-identity`, `sso`, `process`), `role`, `session`, `assumedRoleArn`,
    /// `profile`, `region`, `stsEndpoint`, `expiration`, `obtained` (RFC 3339) and `minutesLeft`;
    /// absent values are `null`. Never a secret.
    /// - Throws: `CacheError.cannotRead` when the directory cannot be listed.
    public func json() throws -> String {
        do {
            return JSONOutput.compact(try listed().map(JSONListed.init))
        } catch let error as FileSystemError {
            throw CacheError.cannotRead(path: error.path, reason: error.reason)
        }
    }

    /// `Listed` with every key present, `null` when absent.
    struct JSONListed: Encodable {
        var key, kind, role, session, profile, expiration, obtained: String
        var assumedRoleArn, region, stsEndpoint: OrNull<String>
        var minutesLeft: Int

        init(_ item: Listed) {
            (key, kind, role, session, profile) = (item.key, item.kind, item.role, item.session, item.profile)
            (expiration, obtained, minutesLeft) = (item.expiration, item.obtained, item.minutesLeft)
            assumedRoleArn = OrNull(item.assumedRoleArn)
            region = OrNull(item.region)
            stsEndpoint = OrNull(item.stsEndpoint)
        }
    }

    /// Which sessions `cache clear` removes: all of them, or those matching every filter given.
    public struct Selection: Sendable, Equatable {
        /// The ROLE column's value (a role ARN, `sso:ACCOUNT:ROLE` or `credential_process`).
        public var role: String?
        /// The profile.
        public var profile: String?
        /// The start of the key (the KEY column, or more of it).
        public var keyPrefix: String?

        /// A selection of the sessions matching every filter given (all with none).
        public init(role: String? = nil, profile: String? = nil, keyPrefix: String? = nil) {
            (self.role, self.profile, self.keyPrefix) = (role, profile, keyPrefix)
        }

        /// Whether no filter is given.
        public var isEverything: Bool { role == nil && profile == nil && keyPrefix == nil }
    }

    /// Removes every session and lock, or with a selection only the matching sessions (and their locks);
    /// says how many sessions went.
    /// - Throws: `CacheError.cannotClear` for a file that cannot be removed.
    public func clear(_ selection: Selection = Selection()) throws -> String {
        do {
            let removed: Int
            if selection.isEverything {
                removed = try cache.clear()
            } else {
                let chosen = try listed().filter { item in
                    (selection.role.map { $0 == item.role } ?? true)
                        && (selection.profile.map { $0 == item.profile } ?? true)
                        && (selection.keyPrefix.map { item.key.hasPrefix($0.lowercased()) } ?? true)
                }
                removed = try cache.clear(keys: Set(chosen.map(\.key)))
            }
            return "removed \(removed) cached session\(removed == 1 ? "" : "s") from \(cache.directory)"
        } catch let error as FileSystemError {
            throw CacheError.cannotClear(path: error.path, reason: error.reason)
        }
    }
}

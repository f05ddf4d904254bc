import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a cached session is: an assumed role, or the session of another source.
public enum CachedSession: Sendable, Equatable {
    /// AssumeRole: the role asked for and the session's `assumed-role` ARN.
    case assumedRole(roleARN: String, assumedRoleARN: String)
    /// AssumeRoleWithWebIdentity: the role asked for and the session's `assumed-role` ARN.
    case webIdentity(roleARN: String, assumedRoleARN: String)
    /// IAM Identity Center role credentials of an account and permission set.
    case identityCenter(accountID: String, roleName: String)
    /// The output of a profile's `credential_process` (the command is not kept: it may hold a secret).
    case process

    /// The session's `assumed-role` ARN; nil for sessions that are not roles assumed through STS.
    public var assumedRoleARN: String? {
        switch self {
        case .assumedRole(_, let arn), .webIdentity(_, let arn): return arn
        case .identityCenter, .process: return nil
        }
    }

    /// The ROLE column of `cache list` (and the `roleArn` of the first file format): the role, or
    /// `sso:ACCOUNT:ROLE`, or `credential_process`.
    public var roleLabel: String {
        switch self {
        case .assumedRole(let role, _), .webIdentity(let role, _): return role
        case .identityCenter(let account, let role): return "sso:\(account):\(role)"
        case .process: return "credential_process"
        }
    }

    /// The session of a first-format file, which kept every kind as a role: `credential_process`
    /// and `sso:ACCOUNT:ROLE` stood for the other sources (web identity reads as an assumed role).
    static func legacy(roleARN: String, assumedRoleARN: String) -> CachedSession {
        if roleARN == "credential_process" { return .process }
        let parts = roleARN.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        if parts.count == 3, parts[0] == "sso" {
            return .identityCenter(accountID: String(parts[1]), roleName: String(parts[2]))
        }
        return .assumedRole(roleARN: roleARN, assumedRoleARN: assumedRoleARN)
    }
}

/// Credentials kept in the cache and the session they belong to.
public struct CachedCredentials: Sendable, Equatable {
    /// The temporary credentials (with session token and expiry when cacheable).
    public var credentials: AWSCredentials
    /// What they are.
    public var session: CachedSession
    /// The last background renewal of the session, when it failed (see `RenewalFailure`).
    public var renewalFailure: RenewalFailure?

    /// Cached credentials of `session`.
    public init(credentials: AWSCredentials, session: CachedSession, renewalFailure: RenewalFailure? = nil) {
        self.credentials = credentials
        self.session = session
        self.renewalFailure = renewalFailure
    }
}

/// A background renewal of a cached session that failed: when, and its one-line error (never a
/// secret: every error of eks-auth is written to be shown). Kept in the entry so that the next calls
/// say so while the session is still good, and wait `CredentialCache.renewalRetryPause` before
/// trying again, instead of one silent STS call each.
public struct RenewalFailure: Sendable, Equatable {
    /// When it failed.
    public var at: Date
    /// Its error message.
    public var message: String

    /// A failure at `at` with `message`.
    public init(at: Date, message: String) {
        self.at = at
        self.message = message
    }
}

/// One cached session, as stored in its file (0600, JSON).
///
/// Files carry `kind` (`assume-role`, `web-identity`, `sso`, `process`) and the fields that identify
/// that kind of session, and still the `roleArn`/`assumedRoleArn` pair of the first files
/// (`sso:ACCOUNT:ROLE` or `credential_process` for the sources that are not roles), under the same
/// `version` 1: an earlier eks-auth, after a rollback or beside this one on the same cache
/// directory, reads them as it always did (it ignores `kind`), and files without `kind` are read
/// by their `roleArn`.
public struct CacheEntry: Sendable, Equatable, Codable {
    /// The file format version.
    public var version: Int
    /// What the session is.
    public var session: CachedSession
    /// The profile whose credentials obtained it.
    public var profile: String
    /// The access key id of the temporary credentials.
    public var accessKeyID: String
    /// The secret key of the temporary credentials.
    public var secretAccessKey: String
    /// The session token of the temporary credentials.
    public var sessionToken: String
    /// When they expire, RFC 3339.
    public var expiration: String
    /// When they were obtained, RFC 3339.
    public var obtained: String
    /// The STS endpoint that issued them, and the region it signs for (what tells two sessions of one
    /// role apart in `cache list`); nil for the sources that use no STS endpoint, and in files written
    /// by earlier versions, which read the new files as before (they ignore unknown keys).
    public var stsEndpoint: String?
    /// See `stsEndpoint`.
    public var region: String?
    /// When the last background renewal failed, RFC 3339, and its error (absent when none did).
    public var renewalFailedAt: String?
    /// See `renewalFailedAt`.
    public var renewalFailure: String?

    /// The format this version writes: 1, with `kind` added (older readers ignore unknown keys).
    public static let currentVersion = 1
    /// The formats this version reads (2 was written by development builds only).
    static let readableVersions = 1...2

    /// An entry for `cached`, obtained by `profile` at `date`.
    public init(
        _ cached: CachedCredentials, profile: String, obtained date: Date, stsEndpoint: String? = nil,
        region: String? = nil
    ) {
        self.stsEndpoint = stsEndpoint
        self.region = region
        self.version = Self.currentVersion
        self.session = cached.session
        self.profile = profile
        self.accessKeyID = cached.credentials.accessKeyID
        self.secretAccessKey = cached.credentials.secretAccessKey
        self.sessionToken = cached.credentials.sessionToken ?? ""
        self.expiration = Timestamp.rfc3339(cached.credentials.expiration ?? date)
        self.obtained = Timestamp.rfc3339(date)
        self.renewalFailedAt = cached.renewalFailure.map { Timestamp.rfc3339($0.at) }
        self.renewalFailure = cached.renewalFailure?.message
    }

    /// The expiry as a date; nil when unreadable.
    public var expirationDate: Date? { Timestamp.parseISO8601(expiration) }

    /// The credentials the entry holds; nil when a field is missing or unreadable.
    public var cached: CachedCredentials? {
        guard Self.readableVersions.contains(version), !accessKeyID.isEmpty, !secretAccessKey.isEmpty,
            !sessionToken.isEmpty, let expiry = expirationDate
        else { return nil }
        return CachedCredentials(
            credentials: AWSCredentials(
                accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken,
                expiration: expiry),
            session: session,
            renewalFailure: renewalFailedAt.flatMap(Timestamp.parseISO8601).map {
                RenewalFailure(at: $0, message: renewalFailure ?? "")
            })
    }

    enum CodingKeys: String, CodingKey {
        case version, kind, roleARN = "roleArn", assumedRoleARN = "assumedRoleArn", accountID = "accountId"
        case roleName, profile, accessKeyID = "accessKeyId", secretAccessKey, sessionToken, expiration, obtained
        case stsEndpoint, region, renewalFailedAt, renewalFailure
    }

    /// The `kind` values of format 2.
    enum Kind: String, Codable {
        case assumeRole = "assume-role", webIdentity = "web-identity", sso, process
    }

    /// Reads format 2, or format 1 (no `kind`; the session told apart by its `roleArn`).
    /// - Throws: `DecodingError` for a file of neither format.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        profile = try c.decode(String.self, forKey: .profile)
        accessKeyID = try c.decode(String.self, forKey: .accessKeyID)
        secretAccessKey = try c.decode(String.self, forKey: .secretAccessKey)
        sessionToken = try c.decode(String.self, forKey: .sessionToken)
        expiration = try c.decode(String.self, forKey: .expiration)
        obtained = try c.decode(String.self, forKey: .obtained)
        stsEndpoint = try c.decodeIfPresent(String.self, forKey: .stsEndpoint)
        region = try c.decodeIfPresent(String.self, forKey: .region)
        renewalFailedAt = try c.decodeIfPresent(String.self, forKey: .renewalFailedAt)
        renewalFailure = try c.decodeIfPresent(String.self, forKey: .renewalFailure)
        func string(_ key: CodingKeys) throws -> String { try c.decode(String.self, forKey: key) }
        switch try c.decodeIfPresent(Kind.self, forKey: .kind) {
        case nil:
            session = .legacy(roleARN: try string(.roleARN), assumedRoleARN: try string(.assumedRoleARN))
        case .assumeRole?:
            session = .assumedRole(roleARN: try string(.roleARN), assumedRoleARN: try string(.assumedRoleARN))
        case .webIdentity?:
            session = .webIdentity(roleARN: try string(.roleARN), assumedRoleARN: try string(.assumedRoleARN))
        case .sso?:
            session = .identityCenter(accountID: try string(.accountID), roleName: try string(.roleName))
        case .process?:
            session = .process
        }
    }

    /// The entry in a cache file's bytes; nil when they are not one.
    ///
    /// Reads the JSON object by hand first (`JSONText.parse`), with the same rules as
    /// `init(from:)`, and falls back to `JSONDecoder` for anything that reader declines: on the
    /// start-up path of a cached `token --role-arn`, the decoder's first use cost about 0.6 M
    /// instructions (callgrind).
    public static func decoding(_ bytes: [UInt8]) -> CacheEntry? {
        if let members = JSONText.parse(bytes)?.object, let entry = CacheEntry(members: members) { return entry }
        return try? JSONDecoder().decode(CacheEntry.self, from: Data(bytes))
    }

    /// An entry from the members of a JSON object, as `init(from:)` reads them (other members
    /// ignored); nil when one is missing or of another type, which the decoder then decides on.
    init?(members: JSONText.Object) {
        func string(_ key: CodingKeys) -> String? {
            if case .string(let value)? = members[key.rawValue] { return value }
            return nil
        }
        guard case .integer(let version)? = members[CodingKeys.version.rawValue], let profile = string(.profile),
            let accessKeyID = string(.accessKeyID), let secretAccessKey = string(.secretAccessKey),
            let sessionToken = string(.sessionToken), let expiration = string(.expiration),
            let obtained = string(.obtained)
        else { return nil }
        let kind: Kind?
        switch members[CodingKeys.kind.rawValue] {
        case nil: kind = nil
        case .string(let raw)?:
            guard let known = Kind(rawValue: raw) else { return nil }
            kind = known
        default: return nil
        }
        let session: CachedSession
        switch kind {
        case nil, .assumeRole?, .webIdentity?:
            guard let role = string(.roleARN), let assumed = string(.assumedRoleARN) else { return nil }
            switch kind {
            case .assumeRole?: session = .assumedRole(roleARN: role, assumedRoleARN: assumed)
            case .webIdentity?: session = .webIdentity(roleARN: role, assumedRoleARN: assumed)
            default: session = .legacy(roleARN: role, assumedRoleARN: assumed)
            }
        case .sso?:
            guard let account = string(.accountID), let role = string(.roleName) else { return nil }
            session = .identityCenter(accountID: account, roleName: role)
        case .process?:
            session = .process
        }
        self.version = version
        self.session = session
        self.profile = profile
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.obtained = obtained
        // Optional, but a value of another type is for the decoder to refuse, as it does.
        for key in [CodingKeys.stsEndpoint, .region, .renewalFailedAt, .renewalFailure]
        where members[key.rawValue] != nil && string(key) == nil {
            return nil
        }
        self.stsEndpoint = string(.stsEndpoint)
        self.region = string(.region)
        self.renewalFailedAt = string(.renewalFailedAt)
        self.renewalFailure = string(.renewalFailure)
    }

    /// Writes the kind and the fields that identify the session, and the `roleArn` and
    /// `assumedRoleArn` an earlier eks-auth reads.
    /// - Throws: `EncodingError` from the encoder.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        switch session {
        case .assumedRole(let role, let assumed):
            try c.encode(Kind.assumeRole, forKey: .kind)
            try c.encode(role, forKey: .roleARN)
            try c.encode(assumed, forKey: .assumedRoleARN)
        case .webIdentity(let role, let assumed):
            try c.encode(Kind.webIdentity, forKey: .kind)
            try c.encode(role, forKey: .roleARN)
            try c.encode(assumed, forKey: .assumedRoleARN)
        case .identityCenter(let account, let role):
            try c.encode(Kind.sso, forKey: .kind)
            try c.encode(account, forKey: .accountID)
            try c.encode(role, forKey: .roleName)
            try c.encode("sso:\(account):\(role)", forKey: .roleARN)
            try c.encode("", forKey: .assumedRoleARN)
        case .process:
            try c.encode(Kind.process, forKey: .kind)
            try c.encode("credential_process", forKey: .roleARN)
            try c.encode("", forKey: .assumedRoleARN)
        }
        try c.encode(profile, forKey: .profile)
        try c.encode(accessKeyID, forKey: .accessKeyID)
        try c.encode(secretAccessKey, forKey: .secretAccessKey)
        try c.encode(sessionToken, forKey: .sessionToken)
        try c.encode(expiration, forKey: .expiration)
        try c.encode(obtained, forKey: .obtained)
        try c.encodeIfPresent(stsEndpoint, forKey: .stsEndpoint)
        try c.encodeIfPresent(region, forKey: .region)
        try c.encodeIfPresent(renewalFailedAt, forKey: .renewalFailedAt)
        try c.encodeIfPresent(renewalFailure, forKey: .renewalFailure)
    }
}

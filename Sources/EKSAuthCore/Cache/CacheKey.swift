import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Everything that changes the result of an AssumeRole (or of another cached source: web identity,
/// SSO, credential_process), hashed into a cache file name.
public struct CacheKey: Sendable, Equatable {
    /// What is cached; the raw value is part of the digest, so it names existing files.
    public enum Kind: String, Sendable {
        /// An AssumeRole session.
        case assumeRole = "assume-role"
        /// An AssumeRoleWithWebIdentity session.
        case webIdentity = "web-identity"
        /// IAM Identity Center role credentials.
        case sso
        /// The lock serialising refreshes of an IAM Identity Center token (never an entry).
        case ssoRefresh = "sso-refresh"
        /// The output of `credential_process`.
        case process
    }

    /// What is cached.
    public var kind: Kind
    /// The access key id of the base (calling) credentials, or what stands for them in other kinds
    /// (the token file, the command, a hash of the SSO token).
    public var baseAccessKeyID: String
    /// The profile in effect.
    public var profile: String
    /// The role to assume.
    public var roleARN: String
    /// The external id, when given.
    public var externalID: String?
    /// The session name as asked for; nil when derived from the caller.
    public var sessionName: String?
    /// The MFA device, when given.
    public var serialNumber: String?
    /// The session length asked for.
    public var durationSeconds: Int
    /// The STS endpoint and signing region.
    public var endpoint: String

    /// A key from parts.
    public init(
        baseAccessKeyID: String, profile: String, roleARN: String, externalID: String?, sessionName: String?,
        serialNumber: String?, durationSeconds: Int, endpoint: String, kind: Kind = .assumeRole
    ) {
        self.kind = kind
        self.baseAccessKeyID = baseAccessKeyID
        self.profile = profile
        self.roleARN = roleARN
        self.externalID = externalID
        self.sessionName = sessionName
        self.serialNumber = serialNumber
        self.durationSeconds = durationSeconds
        self.endpoint = endpoint
    }

    /// Hex SHA-256 over the fields, each written as `name=value` on its own line, so that no two
    /// different keys can produce the same text.
    ///
    /// Written by hand, not with `JSONEncoder`: the digest names the cache files already on disk, so
    /// the text must stay byte for byte what `JSONText.quote` has always produced (JSONEncoder
    /// escapes `/` and control characters its own way, and a change would orphan every entry).
    public var digest: String {
        let fields: [(String, String)] = [
            ("format", "eks-auth-\(kind.rawValue)-v1"), ("base", baseAccessKeyID), ("profile", profile),
            ("role", roleARN), ("external-id", externalID ?? "\u{0}"), ("session", sessionName ?? "\u{0}"),
            ("mfa", serialNumber ?? "\u{0}"), ("duration", String(durationSeconds)), ("endpoint", endpoint),
        ]
        // Appended, not `map` then `joined`: that pair cost 0.38 M instructions at run time.
        var text = ""
        for (index, (name, value)) in fields.enumerated() {
            if index > 0 { text += "\n" }
            text += name + "=" + JSONText.quote(value)
        }
        return Crypto.hex(Crypto.sha256(Array(text.utf8)))
    }
}

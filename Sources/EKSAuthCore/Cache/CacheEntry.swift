import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One cached assumed-role session, as stored in its file (0600, JSON).
public struct CacheEntry: Sendable, Equatable, Codable {
    /// The file format version.
    public var version: Int
    /// The role that was assumed.
    public var roleARN: String
    /// The assumed-role session's ARN.
    public var assumedRoleARN: String
    /// The profile whose credentials assumed it.
    public var profile: String
    /// The temporary credentials.
    public var accessKeyID: String
    /// The secret key of the temporary credentials.
    public var secretAccessKey: String
    /// The session token of the temporary credentials.
    public var sessionToken: String
    /// When they expire, RFC 3339.
    public var expiration: String
    /// When they were obtained, RFC 3339.
    public var obtained: String

    /// The current format.
    public static let currentVersion = 1

    /// An entry for `role`, obtained at `date`.
    public init(role: AssumedRole, roleARN: String, profile: String, obtained date: Date) {
        self.version = Self.currentVersion
        self.roleARN = roleARN
        self.assumedRoleARN = role.assumedRoleARN
        self.profile = profile
        self.accessKeyID = role.credentials.accessKeyID
        self.secretAccessKey = role.credentials.secretAccessKey
        self.sessionToken = role.credentials.sessionToken ?? ""
        self.expiration = Timestamp.rfc3339(role.credentials.expiration ?? date)
        self.obtained = Timestamp.rfc3339(date)
    }

    /// The expiry as a date; nil when unreadable.
    public var expirationDate: Date? { Timestamp.parseISO8601(expiration) }

    /// The assumed role the entry holds; nil when a field is missing or unreadable.
    public var assumedRole: AssumedRole? {
        guard version == Self.currentVersion, !accessKeyID.isEmpty, !secretAccessKey.isEmpty,
            !sessionToken.isEmpty, let expiry = expirationDate
        else { return nil }
        return AssumedRole(
            credentials: AWSCredentials(
                accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken,
                expiration: expiry),
            assumedRoleARN: assumedRoleARN)
    }

    enum CodingKeys: String, CodingKey {
        case version, roleARN = "roleArn", assumedRoleARN = "assumedRoleArn", profile
        case accessKeyID = "accessKeyId", secretAccessKey, sessionToken, expiration, obtained
    }
}

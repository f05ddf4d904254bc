import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An AWS access key pair, with the session token and expiry of temporary credentials.
///
/// Its `description` never shows the secret key or the session token.
public struct AWSCredentials: Sendable, Equatable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key id (`AKIA…` for long-term keys, `ASIA…` for temporary ones).
    public var accessKeyID: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials.
    public var sessionToken: String?
    /// When temporary credentials stop working.
    public var expiration: Date?

    /// Credentials from their parts.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// The access key id and expiry; the secret parts are redacted.
    public var description: String {
        var parts = ["accessKeyID: \(accessKeyID)", "secretAccessKey: <redacted>"]
        if sessionToken != nil { parts.append("sessionToken: <redacted>") }
        if let expiration { parts.append("expiration: \(Timestamp.rfc3339(expiration))") }
        return "AWSCredentials(\(parts.joined(separator: ", ")))"
    }

    /// Same as `description`: secrets stay redacted in debug output too.
    public var debugDescription: String { description }

    /// Whether the credentials have expired at `date`.
    public func isExpired(at date: Date) -> Bool {
        guard let expiration else { return false }
        return expiration <= date
    }
}

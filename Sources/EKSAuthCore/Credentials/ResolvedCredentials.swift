import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Credentials and a description of where they came from (no secrets in it).
public struct ResolvedCredentials: Sendable, Equatable {
    /// The credentials.
    public var credentials: AWSCredentials
    /// Where they came from; its `description` is the text traces and `whoami` show.
    public var source: CredentialSource
    /// The region the source itself reports (instance metadata), for when nothing else names one.
    public var region: String?

    /// Credentials from `source`.
    public init(credentials: AWSCredentials, source: CredentialSource, region: String? = nil) {
        self.credentials = credentials
        self.source = source
        self.region = region
    }
}

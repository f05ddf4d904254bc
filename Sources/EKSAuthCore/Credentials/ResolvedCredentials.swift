/// Credentials and a description of where they came from (no secrets in it).
public struct ResolvedCredentials: Sendable, Equatable {
    /// The credentials.
    public var credentials: AWSCredentials
    /// Where they came from, e.g. "environment" or "shared credentials file ~/.aws/credentials, profile 'dev'".
    public var source: String

    /// Credentials from `source`.
    public init(credentials: AWSCredentials, source: String) {
        self.credentials = credentials
        self.source = source
    }
}

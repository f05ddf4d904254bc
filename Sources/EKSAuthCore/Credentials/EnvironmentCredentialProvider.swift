import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (or the older
/// `AWS_SECURITY_TOKEN`) and `AWS_CREDENTIAL_EXPIRATION`, as botocore's environment provider reads them.
public struct EnvironmentCredentialProvider: CredentialProvider {
    let environment: Environment

    /// A provider reading `environment`.
    public init(environment: Environment) {
        self.environment = environment
    }

    /// The credentials; passed over when neither key variable is set.
    /// - Throws: `CredentialError.partialCredentials` when only one half is set; `.invalidValue` for a bad expiry.
    public func credentials() throws -> ProviderOutcome {
        let keyID = environment["AWS_ACCESS_KEY_ID"]
        let secret = environment["AWS_SECRET_ACCESS_KEY"]
        switch (keyID, secret) {
        case (nil, nil):
            return .passedOver("AWS_ACCESS_KEY_ID not set")
        case (nil, _):
            throw CredentialError.partialCredentials(source: "the environment", missing: "AWS_ACCESS_KEY_ID")
        case (_, nil):
            throw CredentialError.partialCredentials(source: "the environment", missing: "AWS_SECRET_ACCESS_KEY")
        case (let keyID?, let secret?):
            var credentials = AWSCredentials(
                accessKeyID: keyID.trimmingWhitespace(), secretAccessKey: secret.trimmingWhitespace(),
                sessionToken: environment["AWS_SECURITY_TOKEN"] ?? environment["AWS_SESSION_TOKEN"])
            if let expiry = environment["AWS_CREDENTIAL_EXPIRATION"] {
                guard let date = Timestamp.parseISO8601(expiry) else {
                    throw CredentialError.invalidValue(
                        name: "AWS_CREDENTIAL_EXPIRATION", source: "the environment",
                        expected: "an ISO 8601 time such as 2026-01-02T03:04:05Z")
                }
                credentials.expiration = date
            }
            return .found(ResolvedCredentials(credentials: credentials, source: .environment))
        }
    }
}

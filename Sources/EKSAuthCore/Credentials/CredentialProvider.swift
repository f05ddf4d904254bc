import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// One source of credentials (environment, a profile's keys, a role, web identity, IAM Identity
/// Center, `credential_process`, the container endpoint, instance metadata), as the AWS SDKs write
/// it: asked for credentials, it finds them or says why it passed over. A source that is configured
/// but broken throws, and that stops the chain.
public protocol CredentialProvider: Sendable {
    /// The credentials, or why this source has none.
    /// - Throws: the source's error when it is configured but cannot deliver.
    func credentials() throws -> ProviderOutcome
}

/// What asking one provider came to.
public enum ProviderOutcome: Sendable, Equatable {
    /// Credentials, and where they came from.
    case found(ResolvedCredentials)
    /// Nothing here; the reason in words (e.g. "AWS_ACCESS_KEY_ID not set").
    case passedOver(String)

    /// The credentials found, nil when passed over.
    public var resolved: ResolvedCredentials? {
        if case .found(let found) = self { return found }
        return nil
    }
}

/// A step that is never asked, with the reason (e.g. the environment when `--profile` was given).
struct PassedOverProvider: CredentialProvider {
    let reason: String

    func credentials() throws -> ProviderOutcome { .passedOver(reason) }
}

/// The first credentials `providers` find, in order; nil when every one passes over. Later
/// providers are not asked, and a provider's error stops the search.
func firstCredentials(in providers: [any CredentialProvider]) throws -> ResolvedCredentials? {
    for provider in providers {
        if case .found(let found) = try provider.credentials() { return found }
    }
    return nil
}

import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Static keys from a profile of the shared credentials or config file.
public struct ProfileCredentialProvider: Sendable {
    let profile: Profile

    /// A provider for `profile`.
    public init(profile: Profile) {
        self.profile = profile
    }

    /// The profile's static keys whatever else it names; nil when it has none.
    /// - Throws: `CredentialError.partialCredentials` for half a key pair.
    public func staticKeys() throws -> ResolvedCredentials? {
        let keyID = profile["aws_access_key_id"]
        let secret = profile["aws_secret_access_key"]
        let source = "profile '\(profile.name)' (\(profile.sources.joined(separator: ", ")))"
        switch (keyID, secret) {
        case (let keyID?, let secret?):
            let credentials = AWSCredentials(
                accessKeyID: keyID, secretAccessKey: secret,
                sessionToken: profile["aws_security_token"] ?? profile["aws_session_token"])
            return ResolvedCredentials(credentials: credentials, source: source)
        case (nil, _?):
            throw CredentialError.partialCredentials(source: source, missing: "aws_access_key_id")
        case (_?, nil):
            throw CredentialError.partialCredentials(source: source, missing: "aws_secret_access_key")
        case (nil, nil):
            return nil
        }
    }
}

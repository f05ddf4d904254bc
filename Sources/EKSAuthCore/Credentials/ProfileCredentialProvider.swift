import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Static keys from a profile of the shared credentials or config file.
public struct ProfileCredentialProvider: CredentialProvider {
    /// Which keys count: botocore asks for the credentials file's keys before `credential_process`
    /// and for the config file's after it.
    public enum Keys: Sendable {
        /// The profile's keys from either file.
        case anyFile
        /// Only when the credentials file's section of the profile holds `aws_access_key_id`.
        case credentialsFile(SharedConfig)
    }

    let profile: Profile
    let keys: Keys

    /// A provider for the keys of `profile` that `keys` selects.
    public init(profile: Profile, keys: Keys = .anyFile) {
        self.profile = profile
        self.keys = keys
    }

    /// The profile's static keys whatever else it names; passed over when it has none.
    /// - Throws: `CredentialError.partialCredentials` for half a key pair.
    public func credentials() throws -> ProviderOutcome {
        if case .credentialsFile(let config) = keys,
            config.credentials.keys(ofSection: profile.name)?["aws_access_key_id"] == nil
        {
            return .passedOver("no aws_access_key_id in the credentials file")
        }
        let keyID = profile["aws_access_key_id"]
        let secret = profile["aws_secret_access_key"]
        let source = CredentialSource.profile(profile.name, files: profile.sources)
        switch (keyID, secret) {
        case (let keyID?, let secret?):
            let credentials = AWSCredentials(
                accessKeyID: keyID, secretAccessKey: secret,
                sessionToken: profile["aws_security_token"] ?? profile["aws_session_token"])
            return .found(ResolvedCredentials(credentials: credentials, source: source))
        case (nil, _?):
            throw CredentialError.partialCredentials(source: source.description, missing: "aws_access_key_id")
        case (_?, nil):
            throw CredentialError.partialCredentials(source: source.description, missing: "aws_secret_access_key")
        case (nil, nil):
            return .passedOver("no aws_access_key_id")
        }
    }
}

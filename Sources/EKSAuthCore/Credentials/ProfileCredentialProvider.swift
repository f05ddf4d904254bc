/// Static keys from a profile of the shared credentials or config file.
///
/// Profiles that need another source (assumed roles, SSO, processes, web identity) are refused with a
/// clear error rather than guessed at.
public struct ProfileCredentialProvider: Sendable {
    /// Keys of sources the SDKs try before a profile's static keys (botocore's chain order), so a
    /// profile holding one of them must not fall back to its static keys.
    static let precedingSources: [(key: String, feature: String)] = [
        ("role_arn", "role_arn (assume-role profiles)"),
        ("web_identity_token_file", "web_identity_token_file"),
        ("sso_session", "IAM Identity Center (sso_session)"),
        ("sso_start_url", "IAM Identity Center (sso_start_url)"),
        ("sso_account_id", "IAM Identity Center (sso_account_id)"),
        ("sso_role_name", "IAM Identity Center (sso_role_name)"),
    ]
    /// Keys of sources the SDKs try only when the profile has no static keys.
    static let followingSources: [(key: String, feature: String)] = [
        ("login_session", "login_session"),
        ("credential_process", "credential_process"),
        ("credential_source", "credential_source"),
    ]

    let profile: Profile

    /// A provider for `profile`.
    public init(profile: Profile) {
        self.profile = profile
    }

    /// The profile's static keys whatever else it names; nil when it has none.
    /// - Throws: `CredentialError.partialCredentials` for half a key pair.
    public func staticKeys() throws -> ResolvedCredentials? {
        guard profile["aws_access_key_id"] != nil || profile["aws_secret_access_key"] != nil else { return nil }
        var copy = profile
        for key in Self.precedingSources.map(\.key) + Self.followingSources.map(\.key) { copy.values[key] = nil }
        return try ProfileCredentialProvider(profile: copy).credentials()
    }

    /// The profile's static keys, or nil when it has none and names no other source.
    /// - Throws: `CredentialError.partialCredentials` or `.unsupportedProfile`.
    public func credentials() throws -> ResolvedCredentials? {
        let keyID = profile["aws_access_key_id"]
        let secret = profile["aws_secret_access_key"]
        if let unsupported = Self.precedingSources.first(where: { profile[$0.key] != nil }) {
            throw CredentialError.unsupportedProfile(profile: profile.name, feature: unsupported.feature)
        }
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
            if let unsupported = Self.followingSources.first(where: { profile[$0.key] != nil }) {
                throw CredentialError.unsupportedProfile(profile: profile.name, feature: unsupported.feature)
            }
            return nil
        }
    }
}

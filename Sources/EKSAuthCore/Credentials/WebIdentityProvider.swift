import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// AssumeRoleWithWebIdentity (IRSA, CI OIDC tokens) as a source of the chain: the profile's (and,
/// when allowed, the environment's) web identity settings, passed over when no token file is named.
public struct WebIdentityProvider: CredentialProvider {
    let profile: Profile?
    let profileName: String
    let useEnvironment: Bool
    let system: SystemContext
    let settings: AWSSettings

    /// A provider for `profile` (nil: the environment only) named `profileName`; the environment's
    /// variables count when `useEnvironment` (top level, no `--profile`).
    public init(
        profile: Profile?, profileName: String, useEnvironment: Bool, system: SystemContext, settings: AWSSettings
    ) {
        self.profile = profile
        self.profileName = profileName
        self.useEnvironment = useEnvironment
        self.system = system
        self.settings = settings
    }

    /// The assumed role's credentials, through the cache; passed over when no token file is named.
    /// - Throws: `CredentialError` for incomplete settings or an unreadable token file, `STSError`.
    public func credentials() throws -> ProviderOutcome {
        guard
            let role = try WebIdentityRole.configured(
                profile: profile, environment: system.environment, useEnvironment: useEnvironment,
                profileName: profileName)
        else { return .passedOver("no web identity token file") }
        return .found(try role.credentials(system: system, settings: settings))
    }
}

/// The role a web identity token assumes: the token file and role from
/// `AWS_WEB_IDENTITY_TOKEN_FILE`/`AWS_ROLE_ARN`/`AWS_ROLE_SESSION_NAME` or the profile's
/// `web_identity_token_file`/`role_arn`/`role_session_name` (the variable wins, key by key). The
/// call is unsigned; the token file is read again for every call; the session goes through the cache.
public struct WebIdentityRole: Sendable {
    /// The token file.
    public var tokenFile: String
    /// The role to assume.
    public var roleARN: String
    /// The session name, when configured.
    public var sessionName: String?
    /// The profile it belongs to (for the cache key and messages).
    public var profileName: String
    /// Where the settings came from, for messages.
    public var origin: String

    /// The configuration from `environment` (when `useEnvironment`) and `profile`; nil when no token
    /// file is named.
    /// - Throws: `CredentialError.partialCredentials` when the role is missing.
    public static func configured(
        profile: Profile?, environment: Environment, useEnvironment: Bool, profileName: String
    )
        throws -> WebIdentityRole?
    {
        func value(_ variable: String, _ key: String) -> (String, String)? {
            if useEnvironment, let value = environment[variable] { return (value, variable) }
            if let profile, let value = profile[key] { return (value, profile.origin(of: key)) }
            return nil
        }
        guard let (file, origin) = value("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file") else { return nil }
        guard let (role, _) = value("AWS_ROLE_ARN", "role_arn") else {
            throw CredentialError.partialCredentials(
                source: "the web identity settings (\(origin))", missing: "AWS_ROLE_ARN (or role_arn)")
        }
        guard RoleRequest.isRoleARN(role) else {
            throw CredentialError.invalidValue(
                name: "role ARN", source: "the web identity settings (\(origin))",
                expected: "arn:PARTITION:iam::ACCOUNT:role/NAME")
        }
        let session = value("AWS_ROLE_SESSION_NAME", "role_session_name")?.0
        if let session, !RoleSessionName.isValid(session) {
            throw CredentialError.invalidValue(
                name: "role session name", source: "the web identity settings (\(origin))",
                expected: "2-64 characters of letters, digits and _+=,.@-")
        }
        return WebIdentityRole(
            tokenFile: environment.expandingTilde(file), roleARN: role, sessionName: session,
            profileName: profileName, origin: origin)
    }

    /// The assumed role's credentials, through the cache.
    /// - Throws: `CredentialError.unreadableFile`, `AWSServiceError`.
    public func credentials(system: SystemContext, settings: AWSSettings) throws -> ResolvedCredentials {
        let sts = try STSClient(settings: settings, system: system)
        let key = CacheKey(
            baseAccessKeyID: "web-identity-token-file:\(tokenFile)", profile: profileName, roleARN: roleARN,
            externalID: nil, sessionName: sessionName, serialNumber: nil, durationSeconds: RoleRequest.defaultDuration,
            endpoint: "\(sts.endpoint.endpoint) \(sts.endpoint.signingRegion)", kind: .webIdentity)
        let role = try CredentialCache.through(
            key, system: system, label: "web identity \(roleARN)", lockTimeout: sts.retryBudget + 5
        ) {
            let token = try readToken(system.fileSystem)
            let session = sessionName ?? "eks-auth-\(Int(system.clock.now().timeIntervalSince1970))"
            system.tracer("sts: AssumeRoleWithWebIdentity \(roleARN) as session '\(session)' (token from \(tokenFile))")
            let assumed = try sts.assumeRoleWithWebIdentity(
                roleARN: roleARN, sessionName: session, webIdentityToken: token)
            return CachedCredentials(
                credentials: assumed.credentials,
                session: .webIdentity(roleARN: roleARN, assumedRoleARN: assumed.assumedRoleARN))
        }
        let assumedRoleARN = role.session.assumedRoleARN ?? ""
        return ResolvedCredentials(
            credentials: role.credentials,
            source: .webIdentity(
                assumedRoleARN.isEmpty ? roleARN : assumedRoleARN, tokenFile: tokenFile, origin: origin))
    }

    func readToken(_ fileSystem: FileSystem) throws -> String {
        let purpose = "the web identity token file"
        let bytes: [UInt8]?
        do {
            bytes = try fileSystem.read(tokenFile)
        } catch let error as FileSystemError {
            throw CredentialError.unreadableFile(path: tokenFile, purpose: purpose, reason: error.reason)
        }
        guard let bytes else {
            throw CredentialError.unreadableFile(path: tokenFile, purpose: purpose, reason: "no such file")
        }
        let token = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        guard (4...20_000).contains(token.utf8.count) else {
            throw CredentialError.unreadableFile(
                path: tokenFile, purpose: purpose, reason: "it holds no token (4 to 20000 characters)")
        }
        return token
    }
}

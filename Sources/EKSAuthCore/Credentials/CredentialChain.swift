/// Assumes a role on top of base credentials for a profile hop (`role_arn` profiles); provided by
/// the caller so the chain itself needs no network.
public typealias RoleAssumption =
    @Sendable (_ request: RoleRequest, _ base: ResolvedCredentials, _ profile: String) throws -> ResolvedCredentials

/// Finds base credentials in the order of the AWS SDKs: environment variables, then the profile
/// (an assume-role profile's `source_profile` chain or `credential_source`, then static keys).
public struct CredentialChain: Sendable {
    let settings: AWSSettings
    let environment: Environment
    let tracer: Tracer
    let assumeRole: RoleAssumption?

    /// A chain over `settings` and `environment`, tracing each source it tries; `assumeRole` serves
    /// `role_arn` profiles (without it they are refused as unsupported).
    public init(
        settings: AWSSettings, environment: Environment, tracer: Tracer = .silent, assumeRole: RoleAssumption? = nil
    ) {
        self.settings = settings
        self.environment = environment
        self.tracer = tracer
        self.assumeRole = assumeRole
    }

    /// The first credentials found.
    /// - Throws: `CredentialError.noCredentials` listing every source and why it gave nothing,
    ///   or the error of a source that is configured but broken.
    public func resolve() throws -> ResolvedCredentials {
        var skipped: [SkippedSource] = []
        if settings.selection.isFromFlag {
            skipped.append(SkippedSource(source: "environment", reason: "ignored because --profile was given"))
        } else if let found = try EnvironmentCredentialProvider(environment: environment).credentials() {
            tracer("credentials: \(found.source) (access key \(found.credentials.accessKeyID))")
            return found
        } else {
            skipped.append(SkippedSource(source: "environment", reason: "AWS_ACCESS_KEY_ID not set"))
        }
        tracer("credentials: environment passed over (\(skipped.last!.reason))")
        let name = settings.selection.name
        if let profile = settings.profile {
            if let found = try resolve(profile: profile, visited: []) {
                tracer("credentials: \(found.source) (access key \(found.credentials.accessKeyID))")
                return found
            }
            skipped.append(SkippedSource(source: "profile '\(name)'", reason: "no aws_access_key_id"))
        } else {
            skipped.append(
                SkippedSource(
                    source: "profile '\(name)'",
                    reason: "not in \(settings.config.configPath) or \(settings.config.credentialsPath)"))
        }
        tracer("credentials: profile '\(name)' passed over (\(skipped.last!.reason))")
        throw CredentialError.noCredentials(tried: skipped)
    }

    /// A profile's credentials: for `role_arn`, the role assumed on top of its source (each hop
    /// through the cache); else its static keys. `visited` holds the profiles above it in the chain.
    func resolve(profile: Profile, visited: [String]) throws -> ResolvedCredentials? {
        let provider = ProfileCredentialProvider(profile: profile)
        // A source profile with static keys gives those keys, even if it names a role (botocore's rule).
        if !visited.isEmpty, let keys = try provider.staticKeys() { return keys }
        guard let roleARN = profile["role_arn"] else { return try provider.credentials() }
        guard let assumeRole else {
            throw CredentialError.unsupportedProfile(profile: profile.name, feature: "role_arn (assume-role profiles)")
        }
        if profile["web_identity_token_file"] != nil {
            throw CredentialError.unsupportedProfile(profile: profile.name, feature: "web_identity_token_file")
        }
        let base: ResolvedCredentials
        switch (profile["source_profile"], profile["credential_source"]) {
        case (_?, _?):
            throw CredentialError.invalidValue(
                name: "source_profile and credential_source", source: "profile '\(profile.name)'",
                expected: "only one of them")
        case (let source?, nil):
            if source == profile.name, let keys = try provider.staticKeys() {
                base = keys
            } else if visited.contains(source) || source == profile.name {
                throw CredentialError.profileCycle(visited + [profile.name, source])
            } else {
                guard let sourceProfile = settings.config.profile(named: source) else {
                    throw ConfigError.profileNotFound(
                        profile: source, selectedBy: "source_profile of profile '\(profile.name)'",
                        files: [settings.config.configPath, settings.config.credentialsPath])
                }
                guard let found = try resolve(profile: sourceProfile, visited: visited + [profile.name]) else {
                    throw CredentialError.partialCredentials(
                        source: "profile '\(source)' (source_profile of '\(profile.name)')",
                        missing: "aws_access_key_id")
                }
                base = found
            }
        case (nil, let source?):
            guard source.lowercased() == "environment" else {
                throw CredentialError.unsupportedProfile(
                    profile: profile.name, feature: "credential_source = \(source)")
            }
            guard let found = try EnvironmentCredentialProvider(environment: environment).credentials() else {
                throw CredentialError.partialCredentials(
                    source: "credential_source = Environment of profile '\(profile.name)'", missing: "AWS_ACCESS_KEY_ID"
                )
            }
            base = found
        case (nil, nil):
            throw CredentialError.partialCredentials(
                source: "profile '\(profile.name)'", missing: "source_profile or credential_source (for its role_arn)")
        }
        tracer("credentials: profile '\(profile.name)' assumes \(roleARN) as \(base.source)")
        let request = RoleRequest(
            roleARN: roleARN, externalID: profile["external_id"], sessionName: profile["role_session_name"],
            durationSeconds: profile["duration_seconds"].flatMap { Int($0) }, serialNumber: profile["mfa_serial"])
        return try assumeRole(request, base, profile.name)
    }
}

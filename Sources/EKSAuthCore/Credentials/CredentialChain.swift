import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Assumes a role on top of base credentials for a profile hop (`role_arn` profiles); provided by
/// the caller so tests can stand in for STS.
public typealias RoleAssumption =
    @Sendable (_ request: RoleRequest, _ base: ResolvedCredentials, _ profile: String) throws -> ResolvedCredentials

/// Finds credentials in the order of the AWS SDKs (botocore's, as `aws sts get-caller-identity`):
/// environment keys; the profile (assume-role, web identity, IAM Identity Center, static keys,
/// `credential_process`); the container endpoint; instance metadata. Each source passed over is
/// traced with the reason; a source that is configured but broken stops the chain with its error.
public struct CredentialChain: Sendable {
    let settings: AWSSettings
    let system: SystemContext
    let assumeRole: RoleAssumption

    /// A chain over `settings` and the environment, disk, network and commands of `system`;
    /// `assumeRole` serves `role_arn` profiles (default: STS through the cache).
    public init(settings: AWSSettings, system: SystemContext, assumeRole: RoleAssumption? = nil) {
        self.settings = settings
        self.system = system
        self.assumeRole = assumeRole ?? RoleAssumer.profileHops(system: system, settings: settings)
    }

    var environment: Environment { system.environment }
    var tracer: Tracer { system.tracer }

    /// The first credentials found.
    /// - Throws: `CredentialError.noCredentials` listing every source and why it gave nothing,
    ///   or the error of a source that is configured but broken.
    public func resolve() throws -> ResolvedCredentials {
        var skipped: [SkippedSource] = []
        func passOver(_ source: String, _ reason: String) {
            skipped.append(SkippedSource(source: source, reason: reason))
            tracer("credentials: \(source) passed over (\(reason))")
        }
        func use(_ found: ResolvedCredentials) -> ResolvedCredentials {
            tracer("credentials: \(found.source) (access key \(found.credentials.accessKeyID))")
            return found
        }
        let explicit = settings.selection.isFromFlag
        if explicit {
            passOver("environment", "ignored because --profile was given")
        } else if let found = try EnvironmentCredentialProvider(environment: environment).credentials() {
            return use(found)
        } else {
            passOver("environment", "AWS_ACCESS_KEY_ID not set")
        }
        let name = settings.selection.name
        if let profile = settings.profile {
            if let found = try resolve(profile: profile, visited: [], useEnvironment: !explicit) { return use(found) }
            passOver("profile '\(name)'", "no credentials in it")
        } else {
            if !explicit,
                let webIdentity = try WebIdentityProvider.configured(
                    profile: nil, environment: environment, useEnvironment: true, profileName: name)
            {
                return use(try webIdentity.credentials(system: system, settings: settings))
            }
            passOver(
                "profile '\(name)'", "not in \(settings.config.configPath) or \(settings.config.credentialsPath)")
        }
        if let found = try ContainerCredentialProvider(system: system).credentials() { return use(found) }
        passOver("container credentials", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set")
        let metadata = InstanceMetadataProvider(system: system, profile: settings.profile)
        switch try metadata.fetch(wantRegion: settings.regionOrigin == .default) {
        case .found(var found, let region):
            found.region = region
            return use(found)
        case .passedOver(let reason):
            passOver("instance metadata", reason)
        }
        throw CredentialError.noCredentials(tried: skipped)
    }

    /// A profile's credentials in botocore's order: `role_arn` (assumed on its source, each hop
    /// through the cache), web identity, IAM Identity Center, static keys of the credentials file,
    /// `credential_process`, static keys of the config file.
    /// A source profile (`visited` not empty) with static keys gives those keys first.
    /// `useEnvironment` lets the web identity variables count (top level, no --profile).
    func resolve(profile: Profile, visited: [String], useEnvironment: Bool) throws -> ResolvedCredentials? {
        let keys = ProfileCredentialProvider(profile: profile)
        if !visited.isEmpty, let found = try keys.staticKeys() { return found }
        if let roleARN = profile["role_arn"], profile["web_identity_token_file"] == nil {
            return try assume(roleARN, profile: profile, visited: visited)
        }
        if let webIdentity = try WebIdentityProvider.configured(
            profile: profile, environment: environment, useEnvironment: useEnvironment, profileName: profile.name)
        {
            return try webIdentity.credentials(system: system, settings: settings)
        }
        if SSOCredentialProvider.isConfigured(profile) {
            return try SSOCredentialProvider(profile: profile, config: settings.config)
                .credentials(system: system, config: settings.config)
        }
        // botocore: keys in the credentials file, then credential_process, then keys in the config file.
        let command = profile["credential_process"]
        let keysInCredentialsFile = settings.config.credentials.keys(ofSection: profile.name)?["aws_access_key_id"] != nil
        if command == nil || keysInCredentialsFile, let found = try keys.staticKeys() { return found }
        if let command {
            return try ProcessCredentialProvider(command: command, profileName: profile.name)
                .credentials(system: system)
        }
        if profile["login_session"] != nil {
            throw CredentialError.unsupportedProfile(profile: profile.name, feature: "login_session (aws login)")
        }
        return nil
    }

    /// The role of a `role_arn` profile, assumed on top of its `source_profile` or `credential_source`.
    func assume(_ roleARN: String, profile: Profile, visited: [String]) throws -> ResolvedCredentials {
        let base: ResolvedCredentials
        switch (profile["source_profile"], profile["credential_source"]) {
        case (_?, _?):
            throw CredentialError.invalidValue(
                name: "source_profile and credential_source", source: "profile '\(profile.name)'",
                expected: "only one of them")
        case (let source?, nil):
            if source == profile.name, let keys = try ProfileCredentialProvider(profile: profile).staticKeys() {
                base = keys
            } else if visited.contains(source) || source == profile.name {
                throw CredentialError.profileCycle(visited + [profile.name, source])
            } else {
                guard let sourceProfile = settings.config.profile(named: source) else {
                    throw ConfigError.profileNotFound(
                        profile: source, selectedBy: "source_profile of profile '\(profile.name)'",
                        files: [settings.config.configPath, settings.config.credentialsPath])
                }
                guard
                    let found = try resolve(
                        profile: sourceProfile, visited: visited + [profile.name], useEnvironment: false)
                else {
                    throw CredentialError.partialCredentials(
                        source: "profile '\(source)' (source_profile of '\(profile.name)')",
                        missing: "aws_access_key_id")
                }
                base = found
            }
        case (nil, let source?):
            base = try credentialSource(source, of: profile)
        case (nil, nil):
            throw CredentialError.partialCredentials(
                source: "profile '\(profile.name)'", missing: "source_profile or credential_source (for its role_arn)")
        }
        tracer("credentials: profile '\(profile.name)' assumes \(roleARN) as \(base.source)")
        let request = RoleRequest(
            roleARN: roleARN, externalID: profile["external_id"], sessionName: profile["role_session_name"],
            durationSeconds: profile["duration_seconds"].flatMap { Int($0) }, serialNumber: profile["mfa_serial"],
            useCache: system.useCache)
        return try assumeRole(request, base, profile.name)
    }

    /// The base credentials `credential_source` names: Environment, Ec2InstanceMetadata or EcsContainer.
    func credentialSource(_ source: String, of profile: Profile) throws -> ResolvedCredentials {
        let origin = "credential_source = \(source) of profile '\(profile.name)'"
        switch source.lowercased() {
        case "environment":
            guard let found = try EnvironmentCredentialProvider(environment: environment).credentials() else {
                throw CredentialError.partialCredentials(source: origin, missing: "AWS_ACCESS_KEY_ID")
            }
            return found
        case "ec2instancemetadata":
            switch try InstanceMetadataProvider(system: system, profile: profile).fetch(wantRegion: false) {
            case .found(let found, _): return found
            case .passedOver(let reason): throw CredentialError.endpointFailed(source: origin, reason: reason)
            }
        case "ecscontainer":
            guard let found = try ContainerCredentialProvider(system: system).credentials() else {
                throw CredentialError.partialCredentials(
                    source: origin, missing: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (or _FULL_URI)")
            }
            return found
        default:
            throw CredentialError.invalidValue(
                name: "credential_source", source: "profile '\(profile.name)'",
                expected: "Environment, Ec2InstanceMetadata or EcsContainer (not \(source))")
        }
    }
}

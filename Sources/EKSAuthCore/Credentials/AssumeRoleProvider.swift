import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// A `role_arn` profile's role, assumed on top of its `source_profile` (resolved through the
/// chain's profile sources) or its `credential_source`; passed over for profiles without `role_arn`
/// and for web identity profiles (whose `role_arn` the token assumes).
struct AssumeRoleProvider: CredentialProvider {
    let profile: Profile
    /// The `role_arn` profiles already on the way here, to catch cycles.
    let visited: [String]
    let chain: CredentialChain

    func credentials() throws -> ProviderOutcome {
        guard let roleARN = profile["role_arn"], profile["web_identity_token_file"] == nil else {
            return .passedOver("no role_arn")
        }
        return .found(try assume(roleARN))
    }

    /// The role, assumed on top of the profile's `source_profile` or `credential_source`.
    func assume(_ roleARN: String) throws -> ResolvedCredentials {
        let settings = chain.settings
        let base: ResolvedCredentials
        switch (profile["source_profile"], profile["credential_source"]) {
        case (_?, _?):
            throw CredentialError.invalidValue(
                name: "source_profile and credential_source", source: profile.origin(of: "credential_source"),
                expected: "only one of them")
        case (let source?, nil):
            if source == profile.name,
                let keys = try ProfileCredentialProvider(profile: profile).credentials().resolved
            {
                base = keys
            } else if visited.contains(source) || source == profile.name {
                throw CredentialError.profileCycle(visited + [profile.name, source])
            } else if visited.count + 1 > CredentialChain.maxProfileHops {
                throw CredentialError.profileChainTooLong(
                    first: visited.first ?? profile.name, hops: CredentialChain.maxProfileHops)
            } else {
                guard let sourceProfile = settings.config.profile(named: source) else {
                    throw ConfigError.profileNotFound(
                        profile: source, selectedBy: "source_profile in \(profile.origin(of: "source_profile"))",
                        files: [settings.config.configPath, settings.config.credentialsPath])
                }
                guard
                    let found = try chain.resolve(
                        profile: sourceProfile, visited: visited + [profile.name], useEnvironment: false)
                else {
                    throw CredentialError.partialCredentials(
                        source: "profile '\(source)' (source_profile of '\(profile.name)')",
                        missing: "aws_access_key_id")
                }
                base = found
            }
        case (nil, let source?):
            base = try credentialSource(source)
        case (nil, nil):
            throw CredentialError.partialCredentials(
                source: "profile '\(profile.name)'", missing: "source_profile or credential_source (for its role_arn)")
        }
        chain.tracer("credentials: profile '\(profile.name)' assumes \(roleARN) as \(base.source)")
        var duration: Int?
        if let text = profile["duration_seconds"] {
            guard let seconds = Int(text) else {
                throw CredentialError.invalidValue(
                    name: "duration_seconds", source: profile.origin(of: "duration_seconds"),
                    expected: "900 to 43200 seconds")
            }
            duration = seconds
        }
        let request = RoleRequest(
            roleARN: roleARN, externalID: profile["external_id"], sessionName: profile["role_session_name"],
            durationSeconds: duration, serialNumber: profile["mfa_serial"],
            tokenCode: profile["mfa_serial"] == nil ? nil : chain.system.profileTokenCode,
            useCache: chain.system.useCache)
        // A bad value here came from the profile, not from a flag: say which key of which profile.
        do {
            try request.validate()
        } catch RoleRequestError.invalid(let field, let expected) where Self.profileKey(field) != nil {
            let key = Self.profileKey(field)!
            throw CredentialError.invalidValue(name: key, source: profile.origin(of: key), expected: expected)
        }
        return try chain.assumeRole(request, base, profile.name)
    }

    /// The profile key a role field is read from; nil for fields only flags give.
    static func profileKey(_ field: RoleField) -> String? {
        switch field {
        case .roleARN: return "role_arn"
        case .externalID: return "external_id"
        case .sessionName: return "role_session_name"
        case .durationSeconds: return "duration_seconds"
        case .serialNumber: return "mfa_serial"
        default: return nil
        }
    }

    /// The base credentials `credential_source` names: Environment, Ec2InstanceMetadata or EcsContainer.
    /// The source must deliver: passed over here is an error.
    func credentialSource(_ source: String) throws -> ResolvedCredentials {
        let origin = "credential_source = \(source) in \(profile.origin(of: "credential_source"))"
        let system = chain.system
        switch source.lowercased() {
        case "environment":
            guard let found = try EnvironmentCredentialProvider(environment: system.environment).credentials().resolved
            else {
                throw CredentialError.partialCredentials(source: origin, missing: "AWS_ACCESS_KEY_ID")
            }
            return found
        case "ec2instancemetadata":
            switch try InstanceMetadataProvider(system: system, profile: profile).credentials() {
            case .found(let found): return found
            case .passedOver(let reason): throw CredentialError.endpointFailed(source: origin, reason: reason)
            }
        case "ecscontainer":
            guard let found = try ContainerCredentialProvider(system: system).credentials().resolved else {
                throw CredentialError.partialCredentials(
                    source: origin, missing: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (or _FULL_URI)")
            }
            return found
        default:
            throw CredentialError.invalidValue(
                name: "credential_source", source: profile.origin(of: "credential_source"),
                expected: "Environment, Ec2InstanceMetadata or EcsContainer (not \(source))")
        }
    }
}

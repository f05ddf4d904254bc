import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The settings and credentials a command works with: the chain's credentials, the role of
/// `--role-arn` assumed on top (through the cache), and the region instance metadata reports when
/// nothing else named one.
public struct CredentialResolution: Sendable {
    let system: SystemContext

    /// A resolution using `system`.
    public init(system: SystemContext) {
        self.system = system
    }

    /// The settings for `profile` and `region` (flags), and the credentials to sign with.
    /// - Throws: `ConfigError`, `CredentialError`, `RoleRequestError`, `AWSServiceError`.
    public func resolve(profile: String?, region: String?, role: RoleRequest?) throws -> (
        AWSSettings, ResolvedCredentials
    ) {
        let trace = system.tracer
        var settings = try AWSSettings.resolve(
            profileFlag: profile, regionFlag: region, environment: system.environment,
            fileSystem: system.fileSystem)
        for (path, file) in [
            (settings.config.configPath, settings.config.config),
            (settings.config.credentialsPath, settings.config.credentials),
        ] {
            for line in file.ignoredText {
                trace(
                    "config: \(path):\(line): text after the section header's ']' is ignored, as the AWS CLI ignores it"
                )
            }
        }
        trace(
            "profile: \(settings.selection.name) (from \(settings.selection.selectedBy))",
            fields: ["profile": settings.selection.name, "from": "\(settings.selection.selectedBy)"])
        trace(
            "region: \(settings.region) (from \(settings.regionSource))",
            fields: ["region": settings.region, "from": "\(settings.regionSource)"])
        trace(
            "sts endpoint: \(settings.stsEndpoint.endpoint) (\(settings.stsEndpoint.source), "
                + "signing region \(settings.stsEndpoint.signingRegion))",
            fields: [
                "endpoint": settings.stsEndpoint.endpoint.description,
                "signingRegion": settings.stsEndpoint.signingRegion,
            ])
        if role == nil, let code = system.profileTokenCode {
            guard RoleRequest.isTokenCode(code) else {
                throw RoleRequestError.invalid(.tokenCode, expected: RoleField.tokenCodeShape)
            }
            guard Self.roleChainHasMFASerial(settings) else { throw RoleRequestError.needsRole(.tokenCode) }
        }
        var resolved = try CredentialChain(settings: settings, system: system).resolve()
        if let reported = resolved.region, settings.regionOrigin == .default, reported != settings.region {
            settings = try settings.inRegion(reported, origin: .instanceMetadata, environment: system.environment)
            trace(
                "region: \(settings.region) (from instance metadata); sts endpoint: \(settings.stsEndpoint.endpoint)")
        }
        if resolved.credentials.isExpired(at: system.clock.now()), let expiry = resolved.credentials.expiration {
            throw CredentialError.expired(source: resolved.source.description, at: expiry)
        }
        if let role {
            let sts = try STSClient(settings: settings, system: system)
            let assumed = try RoleAssumer(system: system, settings: settings, sts: sts).assume(role, with: resolved)
            resolved = ResolvedCredentials(
                credentials: assumed.credentials,
                source: .assumedRole(assumed.assumedRoleARN, profile: nil, base: resolved.source))
            trace(
                "credentials: \(resolved.source) (access key \(assumed.credentials.accessKeyID))",
                fields: [
                    "source": "\(resolved.source)", "accesskeyid": assumed.credentials.accessKeyID,
                    "arn": assumed.assumedRoleARN,
                ])
        }
        return (settings, resolved)
    }

    /// Whether a `role_arn` profile on the selected profile's `source_profile` chain has `mfa_serial`:
    /// what a `--token-code` without a role flag can serve.
    static func roleChainHasMFASerial(_ settings: AWSSettings) -> Bool {
        var name = settings.selection.name
        var seen: [String] = []
        while seen.count <= CredentialChain.maxProfileHops, let profile = settings.config.profile(named: name) {
            if profile["role_arn"] != nil, profile["mfa_serial"] != nil { return true }
            guard let next = profile["source_profile"], next != name, !seen.contains(next) else { return false }
            seen.append(name)
            name = next
        }
        return false
    }
}

import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What `eks-auth token` was asked for.
public struct TokenRequest: Sendable, Equatable {
    /// The cluster name (or Outposts cluster id): the signed `x-k8s-aws-id` value.
    public var clusterID: String
    /// `--region`, when given.
    public var region: String?
    /// `--profile`, when given.
    public var profile: String?
    /// The role to assume for the token only (`--role-arn` or `DEFAULT_ROLE`), if any.
    public var role: RoleRequest?

    /// A request for `clusterID`.
    public init(clusterID: String, region: String? = nil, profile: String? = nil, role: RoleRequest? = nil) {
        self.clusterID = clusterID
        self.region = region
        self.profile = profile
        self.role = role
    }
}

/// The token, the ExecCredential that carries it and the settings that made it.
public struct TokenResult: Sendable {
    /// The token.
    public var token: EKSToken
    /// The ExecCredential to print.
    public var execCredential: ExecCredential
    /// Where the credentials came from (no secrets).
    public var credentialSource: String
    /// The access key id that signed.
    public var accessKeyID: String
}

/// The core of `eks-auth token`: settings → credentials → presigned token → ExecCredential.
public struct TokenService: Sendable {
    let system: SystemContext

    /// A service using `system` for the environment, disk, clock and trace.
    public init(system: SystemContext) {
        self.system = system
    }

    /// Makes a token for `request`.
    /// - Throws: `ConfigError`, `CredentialError`.
    public func token(for request: TokenRequest) throws -> TokenResult {
        let clusterID = try Self.validatedClusterID(request.clusterID)
        let execInfo = ExecInfo.parse(system.environment.variables["KUBERNETES_EXEC_INFO"])
        if let warning = execInfo.warning { system.warn(warning) }
        let (settings, resolved) = try CredentialResolution(system: system).resolve(
            profile: request.profile, region: request.region, role: request.role)
        let now = system.clock.now()
        let token = EKSToken.make(
            credentials: resolved.credentials, endpoint: settings.stsEndpoint, clusterID: clusterID, at: now)
        system.tracer("cluster: \(clusterID); token expires \(Timestamp.rfc3339(token.expiration))")
        if token.value.utf8.count > EKSToken.maxLength {
            system.warn(
                "the token is \(token.value.utf8.count) bytes, over the \(EKSToken.maxLength) the EKS "
                    + "authenticator accepts; a long session token (session tags, role chains) is the usual cause")
        }
        return TokenResult(
            token: token,
            execCredential: ExecCredential(
                apiVersion: execInfo.apiVersion, token: token.value, expiration: token.expiration),
            credentialSource: resolved.source, accessKeyID: resolved.credentials.accessKeyID)
    }

    /// The cluster id, trimmed; empty, over 255 bytes or with control characters is refused.
    static func validatedClusterID(_ raw: String) throws -> String {
        let id = raw.trimmingWhitespace()
        guard !id.isEmpty else { throw ConfigError.invalidClusterID("") }
        guard id.utf8.count <= 255, !id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f })
        else { throw ConfigError.invalidClusterID(String(id.prefix(40))) }
        return id
    }
}

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
    /// - Throws: `ConfigError`, `CredentialError`, `RoleRequestError`, `STSError`.
    public func resolve(profile: String?, region: String?, role: RoleRequest?) throws -> (
        AWSSettings, ResolvedCredentials
    ) {
        let trace = system.tracer
        var settings = try AWSSettings.resolve(
            profileFlag: profile, regionFlag: region, environment: system.environment,
            fileSystem: system.fileSystem)
        trace("profile: \(settings.selection.name) (from \(settings.selection.selectedBy))")
        trace("region: \(settings.region) (from \(settings.regionSource))")
        trace(
            "sts endpoint: \(settings.stsEndpoint.endpoint) (\(settings.stsEndpoint.source), "
                + "signing region \(settings.stsEndpoint.signingRegion))")
        var resolved = try CredentialChain(settings: settings, system: system).resolve()
        if let reported = resolved.region, settings.regionSource == "default", reported != settings.region {
            settings = try settings.inRegion(reported, source: "instance metadata", environment: system.environment)
            trace(
                "region: \(settings.region) (from instance metadata); sts endpoint: \(settings.stsEndpoint.endpoint)")
        }
        if resolved.credentials.isExpired(at: system.clock.now()), let expiry = resolved.credentials.expiration {
            throw CredentialError.expired(source: resolved.source, at: expiry)
        }
        if let role {
            let sts = try STSClient(settings: settings, system: system)
            let assumed = try RoleAssumer(system: system, settings: settings, sts: sts).assume(role, with: resolved)
            resolved = ResolvedCredentials(
                credentials: assumed.credentials,
                source: "assumed role \(assumed.assumedRoleARN) (from \(resolved.source))")
            trace("credentials: \(resolved.source) (access key \(assumed.credentials.accessKeyID))")
        }
        return (settings, resolved)
    }
}

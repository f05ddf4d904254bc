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

    /// Makes a token for `request`. Under kubectl, a failure from AWS is remembered briefly and answered
    /// again from memory (`FailureMemo`).
    /// - Throws: `ConfigError`, `CredentialError`, `AWSServiceError`, `RememberedFailure`.
    public func token(for request: TokenRequest) throws -> TokenResult {
        guard let memo = FailureMemo(system: system) else { return try makeToken(for: request) }
        if let remembered = memo.recall(inputs: { memo.inputs(of: request) }) { throw remembered }
        do {
            return try makeToken(for: request)
        } catch let error as EKSAuthError {
            memo.remember(error, inputs: memo.inputs(of: request))
            throw error
        }
    }

    private func makeToken(for request: TokenRequest) throws -> TokenResult {
        let clusterID = try Self.validatedClusterID(request.clusterID)
        let execInfo = ExecInfo.parse(system.environment.variables["KUBERNETES_EXEC_INFO"])
        if let warning = execInfo.warning { system.warn(warning) }
        let (settings, resolved) = try CredentialResolution(system: system).resolve(
            profile: request.profile, region: request.region, role: request.role)
        let now = system.clock.now()
        let token = EKSToken.make(
            credentials: resolved.credentials, endpoint: settings.stsEndpoint, clusterID: clusterID, at: now)
        system.tracer(
            "cluster: \(clusterID); token expires \(Timestamp.rfc3339(token.expiration))",
            fields: ["cluster": clusterID, "expiration": Timestamp.rfc3339(token.expiration)])
        if let session = resolved.credentials.expiration, session <= token.expiration {
            // The session ends first (a cached one being renewed in the background, or a short one).
            system.tracer(
                "token: expiry capped by the session's, \(Int(session.timeIntervalSince(now))) s from now",
                fields: ["sessionExpiresIn": "\(Int(session.timeIntervalSince(now)))"])
        }
        if token.value.utf8.count > EKSToken.maxLength {
            system.warn(
                "the token is \(token.value.utf8.count) bytes, over the \(EKSToken.maxLength) the EKS "
                    + "authenticator accepts; a long session token (session tags, role chains) is the usual cause")
        }
        return TokenResult(
            token: token,
            // kubectl compares the expiry with this machine's clock: with a corrected clock, say it in that.
            execCredential: ExecCredential(
                apiVersion: execInfo.apiVersion, token: token.value,
                expiration: token.expiration.addingTimeInterval(-Double(system.clockCorrection?.offset ?? 0))),
            credentialSource: resolved.source.description, accessKeyID: resolved.credentials.accessKeyID)
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

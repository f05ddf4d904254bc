import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Assumes the role for the token, through the cache: a fresh cached session costs no STS call,
/// and concurrent callers wait on one lock so that only one of them calls STS.
public struct RoleAssumer: Sendable {
    let system: SystemContext
    let settings: AWSSettings
    let sts: STSClient

    /// An assumer using `system`, `settings` and `sts`.
    public init(system: SystemContext, settings: AWSSettings, sts: STSClient) {
        self.system = system
        self.settings = settings
        self.sts = sts
    }

    /// How long before expiry a cached session is renewed: a full token lifetime plus a minute,
    /// but never more than half the session (so 15-minute sessions are still reused).
    static func refreshWindow(duration: Int) -> TimeInterval {
        min(EKSToken.validity, Double(duration) / 2)
    }

    /// The assumed role's credentials; `profile` (default: the selected one) goes into the cache key.
    /// - Throws: `RoleRequestError`, `AWSServiceError`.
    public func assume(_ request: RoleRequest, with base: ResolvedCredentials, profile: String? = nil) throws
        -> AssumedRole
    {
        try request.validate()
        let duration = request.durationSeconds ?? RoleRequest.defaultDuration
        let key = CacheKey(
            baseAccessKeyID: base.credentials.accessKeyID, profile: profile ?? settings.selection.name,
            roleARN: request.roleARN, externalID: request.externalID,
            sessionName: request.sessionName ?? (request.forwardSessionName ? "\u{1}forward" : nil),
            serialNumber: request.serialNumber, durationSeconds: duration,
            endpoint: "\(sts.endpoint.endpoint) \(sts.endpoint.signingRegion)")
        var system = self.system
        system.useCache = system.useCache && request.useCache
        // Long enough for the lock holder's STS call with every retry.
        // A role that needs an MFA code nobody can give here: its session is good down to the floor, rather
        // than refused for want of a code inside the renewal window.
        let needsCode = request.serialNumber != nil && request.tokenCode == nil
        var window = Self.refreshWindow(duration: duration)
        if needsCode, !system.canPrompt { window = min(window, CredentialCache.backgroundRefreshFloor) }
        let cached = try CredentialCache.through(
            key, system: system, label: "role \(request.roleARN)", window: window,
            lockTimeout: sts.retryBudget + 5,
            // No prompt in the background: a role that needs an MFA code nobody gave is renewed while
            // the caller waits (and can answer).
            inBackground: !needsCode
        ) {
            let role = try callSTS(request, duration: duration, base: base)
            return CachedCredentials(
                credentials: role.credentials,
                session: .assumedRole(roleARN: request.roleARN, assumedRoleARN: role.assumedRoleARN))
        }
        return AssumedRole(credentials: cached.credentials, assumedRoleARN: cached.session.assumedRoleARN ?? "")
    }

    func callSTS(_ request: RoleRequest, duration: Int, base: ResolvedCredentials) throws -> AssumedRole {
        var caller: CallerIdentity?
        var sessionName = request.sessionName
        if sessionName == nil {
            let identity = try sts.callerIdentity(as: base.credentials)
            caller = identity
            sessionName =
                request.forwardSessionName
                ? RoleSessionName.forwarded(from: identity) ?? RoleSessionName.derived(from: identity)
                : RoleSessionName.derived(from: identity)
        }
        var tokenCode = request.tokenCode
        if let serial = request.serialNumber, tokenCode == nil {
            tokenCode = try askForMFACode(serial: serial)
        }
        let parameters = AssumeRoleParameters(
            roleARN: request.roleARN, sessionName: sessionName!, externalID: request.externalID,
            durationSeconds: duration, serialNumber: request.serialNumber, tokenCode: tokenCode)
        system.tracer(
            "sts: AssumeRole \(request.roleARN) as session '\(sessionName!)' for \(duration) s",
            fields: ["role": request.roleARN, "session": sessionName!, "durationSeconds": String(duration)])
        do {
            let role = try sts.assumeRole(parameters, as: base.credentials)
            // The caller's identity names the session when no name is given: a second round trip,
            // which `--session-name` (or `role_session_name`) spares.
            system.tracer(
                caller == nil
                    ? "sts: 1 round trip (AssumeRole)"
                    : "sts: 2 round trips (GetCallerIdentity to name the session, AssumeRole); "
                        + "a session name (--session-name, role_session_name) makes it one")
            return role
        } catch AWSServiceError.service(var failure) where AWSServiceError.deniedCodes.contains(failure.code) {
            // Name the caller in the message: "denied for arn:…:user/alice". One attempt only, and
            // only for denials; a throttled or failing STS gets no extra calls from us.
            failure.caller = caller?.arn ?? (try? sts.withSingleAttempt().callerIdentity(as: base.credentials))?.arn
            throw AWSServiceError.service(failure)
        }
    }

    func askForMFACode(serial: String) throws -> String {
        guard system.canPrompt else { throw RoleRequestError.mfaCodeNeeded(serial: serial) }
        guard let line = system.terminal.readLine("Assume Role MFA token code: ") else {
            throw RoleRequestError.mfaCodeNeeded(serial: serial)
        }
        let code = line.trimmingWhitespace()
        guard RoleRequest.isTokenCode(code) else {
            throw RoleRequestError.invalidPromptedCode
        }
        return code
    }
}

extension RoleAssumer {
    /// The chain's hook for `role_arn` profiles: each hop assumed through the cache, against the
    /// STS endpoint of `settings`.
    public static func profileHops(system: SystemContext, settings: AWSSettings) -> RoleAssumption {
        { request, base, profile in
            let sts = try STSClient(settings: settings, system: system)
            let role = try RoleAssumer(system: system, settings: settings, sts: sts)
                .assume(request, with: base, profile: profile)
            return ResolvedCredentials(
                credentials: role.credentials,
                source: .assumedRole(role.assumedRoleARN, profile: profile, base: base.source))
        }
    }
}

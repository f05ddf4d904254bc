import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What to assume for the token, from `--role-arn` and its companion flags.
public struct RoleRequest: Sendable, Equatable {
    /// The role to assume.
    public var roleARN: String
    /// `--external-id`.
    public var externalID: String?
    /// `--session-name`; nil derives it from the caller.
    public var sessionName: String?
    /// `--forward-session-name`: reuse the caller's own session name.
    public var forwardSessionName: Bool
    /// `--duration-seconds`; nil means 3600.
    public var durationSeconds: Int?
    /// `--serial-number`: the MFA device.
    public var serialNumber: String?
    /// `--token-code`: the MFA code.
    public var tokenCode: String?
    /// False with `--no-cache`.
    public var useCache: Bool

    /// The session length STS uses when none is asked for.
    public static let defaultDuration = 3600

    /// A request from parts.
    public init(
        roleARN: String, externalID: String? = nil, sessionName: String? = nil, forwardSessionName: Bool = false,
        durationSeconds: Int? = nil, serialNumber: String? = nil, tokenCode: String? = nil, useCache: Bool = true
    ) {
        self.roleARN = roleARN
        self.externalID = externalID
        self.sessionName = sessionName
        self.forwardSessionName = forwardSessionName
        self.durationSeconds = durationSeconds
        self.serialNumber = serialNumber
        self.tokenCode = tokenCode
        self.useCache = useCache
    }

    /// Checks the values against STS's own limits, so a typo fails here with the flag's name.
    /// - Throws: `RoleRequestError`.
    public func validate() throws {
        guard Self.isRoleARN(roleARN) else {
            throw RoleRequestError.invalid(flag: "--role-arn", expected: "arn:PARTITION:iam::ACCOUNT:role/NAME")
        }
        if let sessionName, !RoleSessionName.isValid(sessionName) {
            throw RoleRequestError.invalid(
                flag: "--session-name", expected: "2-64 characters of letters, digits and _+=,.@-")
        }
        if sessionName != nil, forwardSessionName {
            throw RoleRequestError.conflict("--session-name", "--forward-session-name")
        }
        if let duration = durationSeconds, !(900...43_200).contains(duration) {
            throw RoleRequestError.invalid(flag: "--duration-seconds", expected: "900 to 43200 seconds")
        }
        if let externalID,
            !(2...1224).contains(externalID.count)
                || !externalID.allSatisfy({ RoleSessionName.isAllowed($0) || $0 == ":" || $0 == "/" })
        {
            throw RoleRequestError.invalid(
                flag: "--external-id", expected: "2-1224 characters of letters, digits and _+=,.@:/-")
        }
        if let serial = serialNumber,
            !(9...256).contains(serial.count)
                || !serial.allSatisfy({ RoleSessionName.isAllowed($0) || $0 == ":" || $0 == "/" })
        {
            throw RoleRequestError.invalid(flag: "--serial-number", expected: "an MFA device ARN or serial number")
        }
        if let code = tokenCode, !Self.isTokenCode(code) {
            throw RoleRequestError.invalid(flag: "--token-code", expected: "the 6 digits the MFA device shows")
        }
        if tokenCode != nil, serialNumber == nil {
            throw RoleRequestError.invalid(flag: "--token-code", expected: "--serial-number as well")
        }
    }

    /// The request the role flags describe: `roleARN` (else `defaultRole`, from `DEFAULT_ROLE`) with its
    /// companions; nil without a role.
    /// - Throws: `RoleRequestError.invalid` naming the first companion flag given without a role, since
    ///   nothing would use it.
    public static func fromFlags(
        roleARN: String?, defaultRole: String?, externalID: String? = nil, sessionName: String? = nil,
        forwardSessionName: Bool = false, durationSeconds: Int? = nil, serialNumber: String? = nil,
        tokenCode: String? = nil, useCache: Bool = true
    ) throws -> RoleRequest? {
        guard let role = roleARN ?? defaultRole else {
            let companions: [(String, Bool)] = [
                ("--external-id", externalID != nil), ("--session-name", sessionName != nil),
                ("--forward-session-name", forwardSessionName), ("--duration-seconds", durationSeconds != nil),
                ("--serial-number", serialNumber != nil), ("--token-code", tokenCode != nil),
            ]
            if let stray = companions.first(where: { $0.1 }) {
                throw RoleRequestError.invalid(flag: stray.0, expected: "--role-arn (or DEFAULT_ROLE) as well")
            }
            return nil
        }
        return RoleRequest(
            roleARN: role, externalID: externalID, sessionName: sessionName, forwardSessionName: forwardSessionName,
            durationSeconds: durationSeconds, serialNumber: serialNumber, tokenCode: tokenCode, useCache: useCache)
    }

    static func isRoleARN(_ arn: String) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0] == "arn" && !parts[1].isEmpty && parts[2] == "iam"
            && parts[5].hasPrefix("role/") && parts[5].count > 5 && (20...2048).contains(arn.count)
    }

    static func isTokenCode(_ code: String) -> Bool {
        code.count == 6 && code.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// A flag of the role request that STS would refuse.
public enum RoleRequestError: EKSAuthError, Equatable {
    /// The flag's value is not acceptable.
    case invalid(flag: String, expected: String)
    /// Two flags that exclude each other.
    case conflict(String, String)
    /// MFA is needed but there is no code and no terminal to ask on.
    case mfaCodeNeeded(serial: String)

    public var message: String {
        switch self {
        case .invalid(let flag, let expected): return "invalid \(flag): expected \(expected)"
        case .conflict(let a, let b): return "\(a) and \(b) cannot be used together"
        case .mfaCodeNeeded(let serial):
            return "an MFA code for \(serial) is needed, and this session is not interactive"
        }
    }

    public var hint: String? {
        switch self {
        case .mfaCodeNeeded:
            return "pass --token-code, run the command once in a terminal (the session is then cached), "
                + "or set interactiveMode: IfAvailable in the kubeconfig exec block"
        default: return nil
        }
    }

    public var kind: FailureKind {
        switch self {
        case .invalid, .conflict: return .usage
        case .mfaCodeNeeded: return .configuration
        }
    }
}

/// Role session names: the STS rule and how a default one is derived from the caller.
public enum RoleSessionName {
    /// Whether `c` may appear in a session name (`[\w+=,.@-]`).
    static func isAllowed(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || "_+=,.@-".contains(c))
    }

    /// Whether `name` is 2-64 allowed characters.
    public static func isValid(_ name: String) -> Bool {
        (2...64).contains(name.count) && name.allSatisfy(isAllowed)
    }

    /// A session name naming the caller, so CloudTrail and `{{SessionName}}` show who it was:
    /// the user name for IAM users, the session name for assumed roles, the name for federated
    /// users; disallowed characters become `-`, the result is cut to 64 and padded to 2.
    public static func derived(from caller: CallerIdentity) -> String {
        let resource = caller.arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).last ?? ""
        let parts = resource.split(separator: "/")
        var name: String
        switch parts.first {
        case "assumed-role" where parts.count >= 3: name = String(parts.last!)
        case "user", "federated-user": name = String(parts.last ?? "")
        default: name = resource.isEmpty ? "eks-auth" : String(resource)
        }
        name = String(name.map { isAllowed($0) ? $0 : "-" }.prefix(64))
        return name.count >= 2 ? name : "eks-auth-\(name)"
    }

    /// The caller's own session name when it is an assumed role (aws-iam-authenticator's
    /// `--forward-session-name`), else nil.
    public static func forwarded(from caller: CallerIdentity) -> String? {
        guard caller.arn.contains(":assumed-role/") else { return nil }
        return derived(from: caller)
    }
}

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
    /// - Throws: `RoleRequestError`, `STSError`.
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
        return try CredentialCache.through(
            key, system: system, label: "role \(request.roleARN)", window: Self.refreshWindow(duration: duration),
            lockTimeout: sts.retryBudget + 5
        ) { try callSTS(request, duration: duration, base: base) }
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
        system.tracer("sts: AssumeRole \(request.roleARN) as session '\(sessionName!)' for \(duration) s")
        do {
            return try sts.assumeRole(parameters, as: base.credentials)
        } catch STSError.service(var failure) where STSError.deniedCodes.contains(failure.code) {
            // Name the caller in the message: "denied for arn:…:user/alice". One attempt only, and
            // only for denials; a throttled or failing STS gets no extra calls from us.
            failure.caller = caller?.arn ?? (try? sts.withSingleAttempt().callerIdentity(as: base.credentials))?.arn
            throw STSError.service(failure)
        }
    }

    func askForMFACode(serial: String) throws -> String {
        guard system.canPrompt else { throw RoleRequestError.mfaCodeNeeded(serial: serial) }
        guard let line = system.terminal.readLine("Assume Role MFA token code: ") else {
            throw RoleRequestError.mfaCodeNeeded(serial: serial)
        }
        let code = line.trimmingWhitespace()
        guard RoleRequest.isTokenCode(code) else {
            throw RoleRequestError.invalid(flag: "MFA code", expected: "the 6 digits the MFA device shows")
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
                source: "assumed role \(role.assumedRoleARN) (profile '\(profile)', from \(base.source))")
        }
    }
}

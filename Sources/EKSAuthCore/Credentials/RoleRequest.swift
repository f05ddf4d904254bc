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

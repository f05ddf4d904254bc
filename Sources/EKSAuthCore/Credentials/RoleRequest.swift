import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What to assume for the token: the role and its companion fields (from flags, `DEFAULT_ROLE` or a caller).
public struct RoleRequest: Sendable, Equatable {
    /// The role to assume.
    public var roleARN: String
    /// The external id AssumeRole passes on.
    public var externalID: String?
    /// The role session name; nil derives it from the caller.
    public var sessionName: String?
    /// Reuse the caller's own session name.
    public var forwardSessionName: Bool
    /// The session length in seconds; nil means 3600.
    public var durationSeconds: Int?
    /// The MFA device.
    public var serialNumber: String?
    /// The MFA code.
    public var tokenCode: String?
    /// False when the caller turned the cache off.
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

    /// Checks the values against STS's own limits, so a typo fails here, naming the field.
    /// - Throws: `RoleRequestError`.
    public func validate() throws {
        guard Self.isRoleARN(roleARN) else {
            throw RoleRequestError.invalid(.roleARN, expected: RoleField.roleARNShape)
        }
        if let sessionName, !RoleSessionName.isValid(sessionName) {
            throw RoleRequestError.invalid(.sessionName, expected: "2-64 characters of letters, digits and _+=,.@-")
        }
        if sessionName != nil, forwardSessionName {
            throw RoleRequestError.conflict(.sessionName, .forwardSessionName)
        }
        if let duration = durationSeconds, !(900...43_200).contains(duration) {
            throw RoleRequestError.invalid(.durationSeconds, expected: "900 to 43200 seconds")
        }
        if let externalID,
            !(2...1224).contains(externalID.count)
                || !externalID.allSatisfy({ RoleSessionName.isAllowed($0) || $0 == ":" || $0 == "/" })
        {
            throw RoleRequestError.invalid(.externalID, expected: "2-1224 characters of letters, digits and _+=,.@:/-")
        }
        if let serial = serialNumber,
            !(9...256).contains(serial.count)
                || !serial.allSatisfy({ RoleSessionName.isAllowed($0) || $0 == ":" || $0 == "/" })
        {
            throw RoleRequestError.invalid(.serialNumber, expected: "an MFA device ARN or serial number")
        }
        if let code = tokenCode, !Self.isTokenCode(code) {
            throw RoleRequestError.invalid(.tokenCode, expected: RoleField.tokenCodeShape)
        }
        if tokenCode != nil, serialNumber == nil {
            throw RoleRequestError.requires(.tokenCode, .serialNumber)
        }
    }

    /// The request the role flags describe: `roleARN` (else `defaultRole`, from `DEFAULT_ROLE`) with its
    /// companions; nil without a role.
    /// - Throws: `RoleRequestError.needsRole` naming the first companion given without a role, since
    ///   nothing would use it.
    public static func fromFlags(
        roleARN: String?, defaultRole: String?, externalID: String? = nil, sessionName: String? = nil,
        forwardSessionName: Bool = false, durationSeconds: Int? = nil, serialNumber: String? = nil,
        tokenCode: String? = nil, useCache: Bool = true
    ) throws -> RoleRequest? {
        guard let role = roleARN ?? defaultRole else {
            // `--token-code` alone is not stray: it answers a profile's `mfa_serial`
            // (`SystemContext.profileTokenCode`, checked by `CredentialResolution`).
            let companions: [(RoleField, Bool)] = [
                (.externalID, externalID != nil), (.sessionName, sessionName != nil),
                (.forwardSessionName, forwardSessionName), (.durationSeconds, durationSeconds != nil),
                (.serialNumber, serialNumber != nil),
            ]
            if let stray = companions.first(where: { $0.1 }) { throw RoleRequestError.needsRole(stray.0) }
            return nil
        }
        // A role from DEFAULT_ROLE is blamed on DEFAULT_ROLE, with its value, not on a --role-arn nobody gave.
        if roleARN == nil, !isRoleARN(role) {
            throw ConfigError.invalidSetting(
                name: "DEFAULT_ROLE", value: TerminalText.excerpt(role, limit: 200), source: "the environment",
                expected: RoleField.roleARNShape)
        }
        return RoleRequest(
            roleARN: role, externalID: externalID, sessionName: sessionName, forwardSessionName: forwardSessionName,
            durationSeconds: durationSeconds, serialNumber: serialNumber, tokenCode: tokenCode, useCache: useCache)
    }

    /// Whether `arn` is an IAM role ARN STS would take (20 to 2048 characters, as AssumeRole's `RoleArn`).
    static func isRoleARN(_ arn: String) -> Bool {
        guard let parsed = ARN(arn) else { return false }
        return !parsed.partition.isEmpty && parsed.isIAMRole && (20...2048).contains(arn.count)
    }

    static func isTokenCode(_ code: String) -> Bool {
        code.count == 6 && code.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// A field of the role request. The executable spells each as its flag (`--role-arn`, …); the core
/// names the field only.
public enum RoleField: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The role to assume (`DEFAULT_ROLE` can give it too).
    case roleARN
    /// The external id AssumeRole passes on.
    case externalID
    /// The role session name.
    case sessionName
    /// Reuse the caller's own session name.
    case forwardSessionName
    /// The session length in seconds.
    case durationSeconds
    /// The MFA device.
    case serialNumber
    /// The MFA code.
    case tokenCode

    /// What a role ARN looks like, for messages.
    public static let roleARNShape = "arn:PARTITION:iam::ACCOUNT:role/NAME"
    /// What an MFA code looks like, for messages.
    public static let tokenCodeShape = "the 6 digits the MFA device shows"

    /// The field in words, for the core's own messages ("role ARN", "duration seconds", …).
    public var description: String {
        switch self {
        case .roleARN: return "role ARN"
        case .externalID: return "external id"
        case .sessionName: return "session name"
        case .forwardSessionName: return "forward session name"
        case .durationSeconds: return "duration seconds"
        case .serialNumber: return "serial number"
        case .tokenCode: return "token code"
        }
    }
}

/// A role request that STS would refuse, naming the field; the executable words each field as its flag.
public enum RoleRequestError: EKSAuthError, Equatable {
    /// The field's value is not acceptable.
    case invalid(RoleField, expected: String)
    /// The first field needs the second as well.
    case requires(RoleField, RoleField)
    /// A companion field was given without a role (from the flag or `DEFAULT_ROLE`) to use it with.
    case needsRole(RoleField)
    /// Two fields that exclude each other.
    case conflict(RoleField, RoleField)
    /// The MFA code typed at the prompt is not 6 digits.
    case invalidPromptedCode
    /// MFA is needed but there is no code and no terminal to ask on.
    case mfaCodeNeeded(serial: String)

    /// The message with each field worded by `name`: the executable passes its flag spellings.
    public func message(naming name: (RoleField) -> String) -> String {
        switch self {
        case .invalid(let field, let expected): return "invalid \(name(field)): expected \(expected)"
        case .requires(let field, let other): return "invalid \(name(field)): expected \(name(other)) as well"
        case .needsRole(.tokenCode):
            return "invalid \(name(.tokenCode)): expected \(name(.roleARN)) (or DEFAULT_ROLE) as well, "
                + "or a profile whose role has mfa_serial"
        case .needsRole(let field):
            return "invalid \(name(field)): expected \(name(.roleARN)) (or DEFAULT_ROLE) as well"
        case .conflict(let a, let b): return "\(name(a)) and \(name(b)) cannot be used together"
        case .invalidPromptedCode: return "invalid MFA code: expected \(RoleField.tokenCodeShape)"
        case .mfaCodeNeeded(let serial):
            return "an MFA code for \(serial) is needed, and this session is not interactive"
        }
    }

    /// The hint with each field worded by `name`.
    public func hint(naming name: (RoleField) -> String) -> String? {
        switch self {
        case .mfaCodeNeeded:
            return "pass \(name(.tokenCode)), run the command once in a terminal (the session is then cached), "
                + "or set interactiveMode: IfAvailable in the kubeconfig exec block"
        default: return nil
        }
    }

    /// The message with the fields in words.
    public var message: String { message(naming: \.description) }

    /// The hint with the fields in words.
    public var hint: String? { hint(naming: \.description) }

    /// Usage (64) for values STS would refuse; configuration (78) when MFA cannot be asked for.
    public var kind: FailureKind {
        switch self {
        case .invalid, .requires, .needsRole, .conflict, .invalidPromptedCode: return .usage
        case .mfaCodeNeeded: return .configuration
        }
    }
}

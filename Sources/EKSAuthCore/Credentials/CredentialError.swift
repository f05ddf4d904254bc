import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A credential source the chain looked at and passed over, with the reason.
public struct SkippedSource: Sendable, Equatable {
    /// The chain step, e.g. "environment" or "profile 'dev'".
    public var source: ChainLink
    /// Why it gave nothing, e.g. "AWS_ACCESS_KEY_ID not set".
    public var reason: String

    /// A skipped source.
    public init(source: ChainLink, reason: String) {
        self.source = source
        self.reason = reason
    }
}

/// Problems finding or using AWS credentials.
public enum CredentialError: EKSAuthError, Equatable {
    /// No source produced credentials; every reason kept.
    case noCredentials(tried: [SkippedSource])
    /// Half of a key pair: e.g. AWS_ACCESS_KEY_ID without AWS_SECRET_ACCESS_KEY.
    case partialCredentials(source: String, missing: String)
    /// The profile needs a credential source this version cannot use.
    case unsupportedProfile(profile: String, feature: String)
    /// The credentials expired before use.
    case expired(source: String, at: Date)
    /// A value that cannot be used, e.g. an unparsable AWS_CREDENTIAL_EXPIRATION.
    case invalidValue(name: String, source: String, expected: String)
    /// `source_profile` links that come back to a profile already in the chain.
    case profileCycle([String])
    /// A `source_profile` chain longer than `CredentialChain.maxProfileHops` (`first` starts it).
    case profileChainTooLong(first: String, hops: Int)
    /// A file a source needs (web identity token, container authorization token) cannot be read.
    case unreadableFile(path: String, purpose: String, reason: String)
    /// `credential_process` did not deliver: could not start, failed, or ran too long.
    case processFailed(profile: String, reason: String)
    /// `credential_process` printed something other than the credentials JSON.
    case processOutputInvalid(profile: String, reason: String)
    /// The IAM Identity Center token is missing, expired or refused: the user must log in again.
    case ssoLoginRequired(profile: String, reason: String)
    /// The IAM Identity Center login eks-auth started (device authorization) did not complete:
    /// denied, expired, or given up by the process that started it.
    case ssoLoginFailed(profile: String, reason: String)
    /// A credentials endpoint (container, instance metadata, SSO portal) failed.
    case endpointFailed(source: String, reason: String)
    /// A credentials endpoint refused the request (HTTP 4xx other than an SSO login problem).
    case endpointRefused(source: String, reason: String)

    /// Whether a new IAM Identity Center login is the remedy.
    var needsLogin: Bool {
        if case .ssoLoginRequired = self { return true }
        return false
    }

    /// What failed, with the source it concerns (never a secret).
    public var message: String {
        switch self {
        case .noCredentials(let tried):
            let reasons = tried.map { "\($0.source): \($0.reason)" }.joined(separator: "; ")
            return "no AWS credentials found (tried \(reasons))"
        case .partialCredentials(let source, let missing):
            return "incomplete credentials in \(source): \(missing) is missing"
        case .unsupportedProfile(let profile, let feature):
            return "profile '\(profile)' uses \(feature), which eks-auth does not support yet"
        case .expired(let source, let at):
            return "the credentials from \(source) expired at \(Timestamp.rfc3339(at))"
        case .invalidValue(let name, let source, let expected):
            return "invalid \(name) in \(source): expected \(expected)"
        case .profileCycle(let chain):
            return "source_profile chain loops: \(chain.map { "'\($0)'" }.joined(separator: " -> "))"
        case .profileChainTooLong(let first, let hops):
            return "the source_profile chain of profile '\(first)' is longer than \(hops) role_arn hops"
        case .unreadableFile(let path, let purpose, let reason):
            return "cannot read \(purpose) \(path): \(reason)"
        case .processFailed(let profile, let reason), .processOutputInvalid(let profile, let reason):
            return "credential_process of profile '\(profile)' \(reason)"
        case .ssoLoginRequired(let profile, let reason):
            return "the IAM Identity Center session of profile '\(profile)' \(reason)"
        case .ssoLoginFailed(let profile, let reason):
            return "the IAM Identity Center login for profile '\(profile)' \(reason)"
        case .endpointFailed(let source, let reason), .endpointRefused(let source, let reason):
            return "\(source): \(reason)"
        }
    }

    /// What the user can do about it, when there is something.
    public var hint: String? {
        switch self {
        case .noCredentials:
            return "name a profile that has credentials (keys, a role, SSO, credential_process) with --profile or "
                + "AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        case .unsupportedProfile:
            return "use a profile with aws_access_key_id/aws_secret_access_key, or export credentials "
                + "with 'aws configure export-credentials --format env' (AWS CLI v2)"
        case .expired:
            return "refresh the credentials (e.g. 'aws sso login' or a new session) and try again"
        case .ssoLoginRequired(let profile, _):
            return "run 'aws sso login --profile \(profile)' and try again"
        case .ssoLoginFailed(let profile, _):
            return
                "run the command again and approve the code in the browser, or run 'aws sso login --profile \(profile)'"
        case .processFailed:
            return "run the command by hand to see what it needs"
        default:
            return nil
        }
    }

    /// The failure class the exit code is chosen by.
    public var kind: FailureKind {
        switch self {
        case .noCredentials, .unsupportedProfile: return .configuration
        case .partialCredentials, .invalidValue, .profileCycle, .profileChainTooLong, .unreadableFile,
            .processOutputInvalid:
            return .badInput
        case .expired, .ssoLoginRequired, .ssoLoginFailed, .endpointRefused: return .denied
        case .processFailed, .endpointFailed: return .unavailable
        }
    }
}

import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Where credentials came from, as the chain found them. `description` is the text traces, `whoami`
/// and error messages show (never a secret).
public indirect enum CredentialSource: Sendable, Equatable, CustomStringConvertible {
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
    case environment
    /// Static keys of a profile, read from `files`.
    case profile(String, files: [String])
    /// A role assumed on top of `base`; `profile` names the `role_arn` profile (nil for `--role-arn`).
    case assumedRole(String, profile: String?, base: CredentialSource)
    /// AssumeRoleWithWebIdentity: the role (or its assumed-role ARN), the token file, and where the settings came from.
    case webIdentity(String, tokenFile: String, origin: String)
    /// IAM Identity Center role credentials of a profile; `session` is `sso-session 'NAME'` or the legacy start URL.
    case identityCenter(accountID: String, roleName: String, profile: String, session: String)
    /// The output of a profile's `credential_process`.
    case process(profile: String)
    /// The container credentials endpoint at `url`.
    case container(url: String)
    /// The instance metadata service at `endpoint`, for the instance's `role`.
    case instanceMetadata(endpoint: String, role: String)

    /// Whether a profile's settings gave these credentials: false for environment variables, the
    /// container and instance metadata endpoints, the web identity variables, and a `--role-arn`
    /// assumed with any of those. (`whoami` then claims no profile for them.)
    public var comesFromProfile: Bool {
        switch self {
        case .environment, .container, .instanceMetadata: return false
        case .profile, .process, .identityCenter: return true
        case .assumedRole(_, let profile, let base): return profile != nil || base.comesFromProfile
        // The origin is the variable's name, or the profile key with its file and line.
        case .webIdentity(_, _, let origin): return origin != "AWS_WEB_IDENTITY_TOKEN_FILE"
        }
    }

    /// The source in words, e.g. "environment variables" or "profile 'dev' (~/.aws/credentials)".
    public var description: String {
        switch self {
        case .environment:
            return "environment variables"
        case .profile(let name, let files):
            return "profile '\(name)' (\(files.joined(separator: ", ")))"
        case .assumedRole(let assumedRoleARN, let profile?, let base):
            return "assumed role \(assumedRoleARN) (profile '\(profile)', from \(base))"
        case .assumedRole(let assumedRoleARN, nil, let base):
            return "assumed role \(assumedRoleARN) (from \(base))"
        case .webIdentity(let role, let tokenFile, let origin):
            return "web identity \(role) (token file \(tokenFile), from \(origin))"
        case .identityCenter(let accountID, let roleName, let profile, let session):
            return "IAM Identity Center account \(accountID) role \(roleName) (profile '\(profile)', \(session))"
        case .process(let profile):
            return "credential_process of profile '\(profile)'"
        case .container(let url):
            return "container credentials (\(url))"
        case .instanceMetadata(let endpoint, let role):
            return "instance metadata (\(endpoint), role \(role))"
        }
    }
}

/// A step of the credential chain, as a passed-over source is reported: "environment",
/// "profile 'dev'", "container credentials", "instance metadata".
public enum ChainLink: Sendable, Equatable, CustomStringConvertible {
    /// The environment variables.
    case environment
    /// The selected profile and every source it configures.
    case profile(String)
    /// The container credentials endpoint.
    case container
    /// The instance metadata service.
    case instanceMetadata

    /// The step in words, as traces and the `noCredentials` message show it.
    public var description: String {
        switch self {
        case .environment: return "environment"
        case .profile(let name): return "profile '\(name)'"
        case .container: return "container credentials"
        case .instanceMetadata: return "instance metadata"
        }
    }
}

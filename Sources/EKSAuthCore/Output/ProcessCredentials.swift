import AWSSigning
import EKSAuthSystem

/// Credentials in the form a `credential_process` prints them for the AWS CLI and SDKs:
/// `{"Version": 1, "AccessKeyId": …, "SecretAccessKey": …, "SessionToken": …, "Expiration": RFC 3339}`
/// (`SessionToken` and `Expiration` only when the credentials have them: without `Expiration` the SDKs
/// treat them as never expiring). Source: the AWS CLI's "Sourcing credentials with an external
/// process" page and botocore's `ProcessProvider`.
public enum ProcessCredentials {
    /// The version member the AWS CLI requires.
    public static let version = 1

    /// `credentials` as one JSON line.
    public static func json(_ credentials: AWSCredentials) -> String {
        var members = [
            "\"Version\":\(version)", "\"AccessKeyId\":\(JSONText.quote(credentials.accessKeyID))",
            "\"SecretAccessKey\":\(JSONText.quote(credentials.secretAccessKey))",
        ]
        if let token = credentials.sessionToken { members.append("\"SessionToken\":\(JSONText.quote(token))") }
        if let expiration = credentials.expiration {
            members.append("\"Expiration\":\(JSONText.quote(Timestamp.rfc3339(expiration)))")
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}

/// Why `eks-auth credential-process` refuses to run.
public enum CredentialProcessError: EKSAuthError, Equatable {
    /// It runs inside itself: `chain` lists the profiles of each call, outermost first (the last one
    /// repeats an earlier one, or the chain is too long), as kept in the environment variable `variable`.
    case loop(chain: [String], variable: String)

    public var message: String {
        switch self {
        case .loop(let chain, let variable):
            return "eks-auth credential-process runs inside itself (\(variable): "
                + "\(chain.map { "'\($0)'" }.joined(separator: " → "))): a profile's credential_process leads back to "
                + "eks-auth credential-process"
        }
    }

    public var hint: String? {
        "the profile given to 'eks-auth credential-process --profile' must get its credentials another way "
            + "(keys, SSO, a role) than the credential_process that runs it; see 'eks-auth config show --all'"
    }

    public var kind: FailureKind { .configuration }
}

import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
        // Not an ARN at all: the whole text stands in for the resource, as before.
        let resource = ARN(caller.arn)?.resource ?? caller.arn
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

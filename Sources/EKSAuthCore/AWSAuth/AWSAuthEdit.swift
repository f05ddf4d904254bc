import AWSConfiguration
import EKSAuthSystem

/// Who an aws-auth entry maps: a role (`mapRoles`), a user (`mapUsers`) or a whole account (`mapAccounts`).
public enum AWSAuthSubject: Sendable, Equatable {
    /// `--role-arn`: an IAM role ARN.
    case role(String)
    /// `--user-arn`: an IAM user ARN.
    case user(String)
    /// `--account`: a 12-digit account id.
    case account(String)

    /// The ConfigMap key the subject's entries live under: `mapRoles`, `mapUsers` or `mapAccounts`.
    public var list: String {
        switch self {
        case .role: return "mapRoles"
        case .user: return "mapUsers"
        case .account: return "mapAccounts"
        }
    }

    /// The flag it was given with, for messages.
    public var flag: String {
        switch self {
        case .role: return "--role-arn"
        case .user: return "--user-arn"
        case .account: return "--account"
        }
    }

    /// The ARN or account id as given.
    public var value: String {
        switch self {
        case .role(let value), .user(let value), .account(let value): return value
        }
    }
}

/// One change to aws-auth: add (or replace) an entry, or remove one.
public struct AWSAuthEdit: Sendable, Equatable {
    /// What to do with the subject's entry.
    public enum Action: Sendable, Equatable {
        /// Map the subject to `username` and `groups` (both ignored for an account). An entry for the same
        /// ARN that differs is refused unless `replace`, which rewrites it in place.
        case add(username: String?, groups: [String], replace: Bool)
        /// Remove the subject's entries; an absent one is an error unless `ignoreMissing`.
        case remove(ignoreMissing: Bool)
    }

    /// Whose entry.
    public var subject: AWSAuthSubject
    /// What to do.
    public var action: Action

    /// An edit from parts.
    public init(subject: AWSAuthSubject, action: Action) {
        self.subject = subject
        self.action = action
    }
}

/// What an edit did.
public enum AWSAuthOutcome: Sendable, Equatable {
    /// A new entry was appended.
    case added
    /// An entry for the same ARN was rewritten in place (`--replace`).
    case replaced
    /// This many entries were removed.
    case removed(Int)
    /// Nothing changed: the entry was already as asked, or was absent with `--ignore-missing`.
    case unchanged
}

/// The edit's subject checked and made canonical as aws-iam-authenticator compares it.
struct AWSAuthTarget: Sendable, Equatable {
    /// `mapRoles`, `mapUsers` or `mapAccounts`.
    var list: String
    /// The ARN (or account id) to write: a role's without its path.
    var key: String
    /// Texts an existing entry's ARN may have to be this subject's, lower-cased: the key, and the role
    /// ARN as given with its path (an entry written that way never matched, but is this role's).
    var matches: Set<String>
    /// What was changed on the way, for stderr (a role path dropped).
    var notes: [String]

    /// Whether an existing entry's ARN is this subject's: one of `matches`, or, for a role, the same
    /// partition, account and name with any path (an entry written with a path is this role's too).
    func isSubject(_ written: String) -> Bool {
        let arn = written.trimmingWhitespace().lowercased()
        if matches.contains(arn) { return true }
        guard list == "mapRoles", let have = ARN(arn), let want = ARN(key.lowercased()), have.service == "iam",
            have.partition == want.partition, have.account == want.account,
            have.resourceSegments.first == "role", have.resourceSegments.last == want.resourceSegments.last
        else { return false }
        return true
    }

    /// IAM role and user names: 1 to 64 of letters, digits and `+=,.@_-` (IAM API reference, `RoleName`).
    static func isIAMName(_ name: Substring) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+=,.@_-".unicodeScalars.contains($0))
            }
    }

    /// The target of `subject`, or why it cannot be one.
    /// - Throws: `AWSAuthEditError.invalidSubject` or `.assumedRoleARN`.
    static func of(_ subject: AWSAuthSubject) throws -> AWSAuthTarget {
        let value = subject.value
        switch subject {
        case .account(let account):
            guard account.count == 12, account.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw AWSAuthEditError.invalidSubject(
                    flag: subject.flag, value: TerminalText.excerpt(account, limit: 80),
                    expected: "a 12-digit account id")
            }
            return AWSAuthTarget(list: subject.list, key: account, matches: [account], notes: [])
        case .role, .user:
            let isRole = subject.list == "mapRoles"
            let shape =
                isRole
                ? "an IAM role ARN, arn:PARTITION:iam::ACCOUNT:role/NAME"
                : "an IAM user ARN, arn:PARTITION:iam::ACCOUNT:user/NAME"
            guard value.utf8.count <= 2048, let arn = ARN(value), ARN.canonical(value) != nil else {
                throw AWSAuthEditError.invalidSubject(
                    flag: subject.flag, value: TerminalText.excerpt(value, limit: 200), expected: shape)
            }
            // Tokens made from a role carry the session's ARN; the authenticator matches its role ARN.
            if isRole, arn.service == "sts", arn.resource.hasPrefix("assumed-role/"),
                let role = ARN.canonical(value)
            {
                throw AWSAuthEditError.assumedRoleARN(value, role: role)
            }
            let segments = arn.resourceSegments
            guard arn.service == "iam", arn.region.isEmpty, segments.count >= 2,
                segments[0] == (isRole ? "role" : "user"),
                let name = segments.last, isIAMName(name[...]),
                segments.dropFirst().dropLast().allSatisfy({ !$0.isEmpty && isIAMName($0[...]) })
            else {
                throw AWSAuthEditError.invalidSubject(
                    flag: subject.flag, value: TerminalText.excerpt(value, limit: 200), expected: shape)
            }
            guard isRole, segments.count > 2 else {
                return AWSAuthTarget(list: subject.list, key: value, matches: [value.lowercased()], notes: [])
            }
            // aws-iam-authenticator matches the caller's ARN made canonical, and a session's ARN never
            // carries the role's path, so `role/team/x` never matches (facts §7.2; EKS user guide).
            let key = "arn:\(arn.partition):iam::\(arn.account):role/\(name)"
            return AWSAuthTarget(
                list: subject.list, key: key, matches: [key.lowercased(), value.lowercased()],
                notes: [
                    "wrote \(key) without the path '/\(segments.dropFirst().dropLast().joined(separator: "/"))/': "
                        + "aws-iam-authenticator compares the role ARN without its path, so an entry with one never matches"
                ])
        }
    }
}

/// Why an aws-auth edit was refused or failed.
public enum AWSAuthEditError: EKSAuthError, Equatable {
    /// A flag's value is not what it must be.
    case invalidSubject(flag: String, value: String, expected: String)
    /// A username or group that aws-auth cannot hold.
    case invalidValue(flag: String, value: String, expected: String)
    /// `add --role-arn` with a session ARN: the role ARN is what gets mapped.
    case assumedRoleARN(String, role: String)
    /// `add` for an ARN that already has an entry, different from the one asked for.
    case entryDiffers(list: String, arn: String, location: String, existing: String, source: String)
    /// `remove` for an entry that is not there.
    case entryMissing(list: String, arn: String, source: String)
    /// The text is not an aws-auth ConfigMap this program can edit.
    case unreadable(source: String, reason: String)
    /// The layout is one the editor does not write into (anchors, a list that is not a string).
    case unsupportedLayout(source: String, reason: String)
    /// The text is longer than the editor reads.
    case tooLarge(source: String, bytes: Int, limit: Int)
    /// The edited text did not read back as intended; nothing was written.
    case checkFailed(source: String, reason: String)
    /// A file could not be read or written.
    case file(path: String, reason: String, writing: Bool)

    public var message: String {
        switch self {
        case .invalidSubject(let flag, let value, let expected):
            return "\(flag) '\(value)' is not \(expected)"
        case .invalidValue(let flag, let value, let expected):
            return "\(flag) '\(value)' is not \(expected)"
        case .assumedRoleARN(let arn, _):
            return
                "--role-arn '\(TerminalText.excerpt(arn, limit: 200))' is an assumed-role session ARN; aws-auth maps the role"
        case .entryDiffers(let list, let arn, let location, let existing, let source):
            return
                "\(source) already maps \(arn) in \(list) (\(location): \(existing)), differently from what was asked"
        case .entryMissing(let list, let arn, let source):
            return "\(source) has no \(list) entry for \(arn)"
        case .unreadable(let source, let reason):
            return "cannot read the aws-auth ConfigMap from \(source): \(reason)"
        case .unsupportedLayout(let source, let reason):
            return "cannot edit the aws-auth ConfigMap from \(source) in place: \(reason)"
        case .tooLarge(let source, let bytes, let limit):
            return "\(source) is \(bytes) bytes, more than the \(limit) an aws-auth ConfigMap can be"
        case .checkFailed(let source, let reason):
            return "the edit of \(source) did not read back as intended (\(reason)); nothing was written"
        case .file(let path, let reason, let writing):
            return "cannot \(writing ? "write" : "read") \(path): \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .assumedRoleARN(_, let role): return "map the role: --role-arn \(role)"
        case .entryDiffers: return "add --replace to rewrite that entry in place, or remove it first"
        case .entryMissing: return "add --ignore-missing to succeed when there is nothing to remove"
        case .unreadable:
            return "save it with 'kubectl get configmap aws-auth -n kube-system -o yaml > aws-auth.yaml'"
        case .unsupportedLayout: return "edit this part by hand ('kubectl edit configmap aws-auth -n kube-system')"
        case .checkFailed: return "please report this with the file's layout (not its ARNs)"
        default: return nil
        }
    }

    public var kind: FailureKind {
        switch self {
        case .invalidSubject, .invalidValue, .assumedRoleARN: return .usage
        case .entryDiffers, .entryMissing: return .configuration
        case .unreadable, .unsupportedLayout, .tooLarge, .file: return .badInput
        case .checkFailed: return .internal
        }
    }
}
